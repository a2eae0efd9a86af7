"""NRS: the job-order system of Nordsjællands Rekrutteringsservice."""

from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from nrs import (  # db first: it sets the constraint naming convention
    db,
    i18n,
    legacy_urls,
    security,
    web,
)
from nrs import pickers as picker_views
from nrs.activities import views as activities_views
from nrs.admin import views as admin_views
from nrs.agreements import views as agreements_views
from nrs.api import admin as api_admin
from nrs.api import views as api_views
from nrs.auth import login, sso
from nrs.auth import views as auth_views
from nrs.campaigns import views as campaigns_views
from nrs.companies import views as companies_views
from nrs.config import Settings
from nrs.enquiries import views as enquiries_views
from nrs.health import views as health_views
from nrs.home import views as home_views
from nrs.joborders import correction_views as joborder_correction_views
from nrs.joborders import views as joborders_views
from nrs.logging import configure as configure_logging
from nrs.mail import views as mail_views
from nrs.notifications import views as notifications_views
from nrs.privacy import views as privacy_views
from nrs.reports import views as reports_views
from nrs.sectors import views as sectors_views

ROOT = Path(__file__).resolve().parent.parent

#: Every blueprint, in the order they are registered.
BLUEPRINTS = (
    auth_views.bp,
    admin_views.bp,
    home_views.bp,
    companies_views.bp,
    sectors_views.bp,
    agreements_views.bp,
    joborders_views.bp,
    joborder_correction_views.bp,
    campaigns_views.bp,
    activities_views.bp,
    enquiries_views.bp,
    enquiries_views.public,
    reports_views.bp,
    mail_views.bp,
    notifications_views.bp,
    notifications_views.unsubscribe_bp,
    privacy_views.bp,
    health_views.bp,
    api_views.bp,
    api_admin.bp,
    picker_views.bp,
)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        NRS=settings,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.upload_max_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        SESSION_COOKIE_NAME="nrs_session",
        WTF_CSRF_TIME_LIMIT=None,
        PREFERRED_URL_SCHEME="https" if settings.https else "http",
    )
    configure_logging(app)  # before the db hooks, so a request line times the commit too

    if settings.proxy_hops:
        # Behind nginx every request comes from the proxy: the login throttle per address and
        # the secure-cookie decision need the client's address and scheme from the headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)

    db.init_app(app, settings.database_url)
    i18n.init_app(app)
    login.init_app(app)
    sso.init_app(app)
    security.init_app(app)
    web.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    legacy_urls.init_app(app)  # the old English paths, after the routes they redirect to
    return app


def served(app: Flask) -> Flask:
    """Ready ``app`` to serve requests for a long time (wsgi.py, ``nrs serve``): the objects made at
    start-up (modules, templates, the catalogue, the metadata; some 200,000) are moved out of the
    garbage collector's reach. They live as long as the process, but every full collection walked
    them all: about a fifth of the front page's time, profiled at scale 0.1 (issue 20). Not in
    ``create_app``: the tests make hundreds of apps that must be collected."""
    gc.collect()
    gc.freeze()
    return app
