"""Route-wide: any response that shows a case reference wrote an access-log row, whatever its status."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from nrs.privacy.models import AccessLogEntry
from tests.conftest import csrf_token
from tests.routes import POST_ROUTES, ROUTES

SECRET_CASE = "SAG-ROUTE-5150"
#: Posting these would end the session or is not about data at all.
NOT_POSTED = {"auth.logout", "auth.login", "auth.language", "auth.password"}


def _count(session, user) -> int:
    return len(session.exec(select(AccessLogEntry.id).where(AccessLogEntry.user_id == user.id)).all())


def _show_secret_everywhere(session) -> None:
    """Every order gets a referral with the secret case reference, so any page about an order shows it."""
    from nrs.joborders.models import JobOrder, Referral

    for order in session.exec(select(JobOrder)).all():
        if not session.exec(select(Referral).where(Referral.job_order_id == order.id,
                                                   Referral.case_reference == SECRET_CASE)).first():
            session.add(Referral(job_order_id=order.id, referring_centre_id=order.lead_centre_id,
                                 referred_on=date(2016, 3, 2), case_reference=SECRET_CASE))
    session.commit()


def test_every_page_that_shows_referral_data_logs_it(client, login_as, session, world, cheap_password_hashes):
    admin = login_as("admin", centre=201)
    detail = world("/jobordrer/<int:order_id>")
    _show_secret_everywhere(session)
    token = csrf_token(client, detail)
    shown, unlogged = set(), []
    requests = [("GET", endpoint, rule) for endpoint, rule, method in ROUTES if method == "GET"]
    posts = [("POST", endpoint, rule) for endpoint, rule in POST_ROUTES if endpoint not in NOT_POSTED]
    # A built campaign already targets the world's company: build after the target routes.
    requests += sorted(posts, key=lambda r: r[1] == "campaigns.build")
    target_id = world("<int:target_id>")  # the world makes a new target per call; one per campaign may exist
    for method, endpoint, rule in requests:
        url = world(rule.replace("<int:target_id>", target_id))
        _show_secret_everywhere(session)
        before = _count(session, admin)
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        if SECRET_CASE.encode() in response.get_data():  # pages, CSV and spreadsheets alike
            shown.add(endpoint)
            if _count(session, admin) == before:
                unlogged.append(f"{method} {url} ({response.status_code})")
    assert unlogged == []
    # The check above has teeth: the order page and its refused forms do show the case reference.
    assert {"joborders.detail", "joborders.add_referral", "joborders.pause"} <= shown
