"""NRS: the job-order system of Nordsjællands Rekrutteringsservice."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from nrs import db as _db  # noqa: F401 - sets the constraint naming convention first
from nrs.config import Settings
from nrs.registry import optional_module

ROOT = Path(__file__).resolve().parent.parent

#: Domain packages whose ``views.bp`` blueprint is registered when the module exists.
DOMAINS = (
    "auth",
    "admin",
    "home",
    "companies",
    "sectors",
    "agreements",
    "joborders",
    "campaigns",
    "reports",
    "mail",
    "privacy",
    "health",
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
    from nrs.logging import configure as configure_logging

    configure_logging(app)  # before the db hooks, so a request line times the commit too

    if settings.proxy_hops:
        # Behind nginx every request comes from the proxy: the login throttle per address and
        # the secure-cookie decision need the client's address and scheme from the headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)

    from nrs import db, i18n, security, web
    from nrs.auth import login

    db.init_app(app, settings.database_url)
    i18n.init_app(app)
    login.init_app(app)
    security.init_app(app)
    web.init_app(app)
    for name in DOMAINS:
        views = optional_module(f"nrs.{name}.views")
        if views is not None:
            app.register_blueprint(views.bp)
    return app
