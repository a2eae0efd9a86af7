"""Every route × every role, as one table.

The routes come from the app's URL map, so a new route without a line in ``EXPECTED`` fails here.
Objects are in Allerød (centre 201): "staff" works there, "other" is staff at Helsingør (217) and
"other_coordinator" is Helsingør's coordinator: a coordinator's rank does not reach another centre's objects.

Statuses: a page the role may see answers 200; a POST the role may make answers 302 (done) or
400 (the empty form is refused) — never 403; anonymous users are sent to the login page; a role
below the rule gets 403; an unknown id gives 404; and GET on a POST-only route is 405 (state never
changes on GET).
"""

from __future__ import annotations

import pytest

from nrs.security import rule_of
from tests.conftest import BACKENDS, login
from tests.routes import ROUTES, WITH_IDS

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


@pytest.fixture
def backend() -> str:
    """One backend: this table tests routing and rules, not SQL (the database tests run on both)."""
    return "sqlite" if "sqlite" in BACKENDS else BACKENDS[0]

ROLES = ("anonymous", "staff", "other", "coordinator", "other_coordinator", "admin")
RANK = {"anonymous": 0, "staff": 1, "other": 1, "coordinator": 2, "other_coordinator": 2, "admin": 3}
#: The roles that work at another centre than the objects' (217, not 201).
OTHER_CENTRE = {"other", "other_coordinator"}
LEVEL_RANK = {"public": 0, "user": 1, "coordinator": 2, "admin": 3}

#: endpoint -> (level, own-centre rule[, status when allowed, if not the default[, refusal for "other"]]).
#: ``own``: staff and coordinators of another centre may see it but not change it (403).
OWN, ANY = True, False
EXPECTED: dict[str, tuple] = {
    "static": ("public", ANY),
    "health.healthz": ("public", ANY),
    "auth.login": ("public", ANY),
    "auth.language": ("public", ANY),
    "auth.logout": ("user", ANY),
    "auth.password": ("user", ANY),
    "auth.login_second_factor": ("public", ANY, 302),  # no password given first: back to the login
    "auth.totp_enrol": ("user", ANY),
    "auth.totp_reset": ("admin", ANY),
    "auth.forgot_password": ("public", ANY),
    "auth.reset_password": ("public", ANY, 400),  # a made-up token
    "auth.sso_by_email": ("public", ANY),
    "auth.sso_start": ("public", ANY, 404),  # no provider is configured in these tests
    "auth.sso_callback": ("public", ANY, 404),
    "home.index": ("user", ANY),
    # the steering group's area
    "admin.index": ("admin", ANY, 302),
    "admin.users": ("admin", ANY),
    "admin.user_new": ("admin", ANY),
    "admin.user_edit": ("admin", ANY),
    "admin.audit": ("admin", ANY),
    "admin.centres": ("admin", ANY),
    "admin.centre_edit": ("admin", ANY),
    "mail.outbox": ("admin", ANY),
    "mail.resend": ("admin", ANY),
    "privacy.access_log": ("admin", ANY),
    "privacy.access_log_export": ("admin", ANY),
    "sectors.index": ("user", ANY),
    "sectors.new": ("admin", ANY),
    "sectors.edit": ("admin", ANY),
    "sectors.delete": ("admin", ANY),
    "sectors.retire": ("admin", ANY),
    "sectors.unretire": ("admin", ANY),
    # companies: read by all, changed by the lead centre; coordinators override leads and import
    "pickers.companies": ("user", ANY),
    "pickers.agreements": ("user", ANY),
    "pickers.users": ("user", ANY),
    "companies.index": ("user", ANY),
    "companies.detail": ("user", ANY),
    "companies.new": ("user", ANY),
    "companies.edit": ("user", OWN),
    "companies.contact_person": ("user", OWN),
    "companies.contact_new": ("user", OWN),
    "companies.contact_edit": ("user", OWN),
    "companies.contact_delete": ("user", OWN),
    "companies.lead": ("coordinator", OWN),
    "companies.bulk_lead": ("coordinator", ANY),  # the list's bulk form; the rule is per checked company
    "companies.lead_rule": ("coordinator", OWN),
    "companies.import_file": ("coordinator", ANY),
    "privacy.contact": ("coordinator", ANY),
    "privacy.contact_export": ("coordinator", ANY),
    "privacy.contact_erase": ("coordinator", OWN),
    # agreements
    "agreements.index": ("user", ANY),
    "agreements.detail": ("user", ANY),
    "agreements.company": ("user", ANY),
    "agreements.document": ("user", ANY, 404),  # the fixture's agreement has no signed PDF
    "agreements.new": ("user", ANY),
    "agreements.edit": ("user", OWN),
    "agreements.delete": ("coordinator", OWN),
    # job orders: any centre refers; the lead centre works the order; coordinators reopen
    "joborders.index": ("user", ANY),
    "joborders.help_wanted": ("user", ANY),
    "joborders.detail": ("user", ANY),
    "joborders.new": ("user", ANY),
    "joborders.edit": ("user", OWN),
    "joborders.fill": ("user", OWN),
    "joborders.positions": ("user", OWN),
    "joborders.unfilled": ("user", OWN),
    "joborders.pause": ("user", OWN),
    "joborders.resume": ("user", OWN),
    "joborders.ask_for_help": ("user", OWN),
    "joborders.add_referral": ("user", ANY),
    "joborders.referral_outcome": ("user", OWN),
    "joborders.reopen": ("coordinator", OWN),
    "joborders.undo_outcome": ("coordinator", OWN),
    "jobordercorrections.cancel": ("coordinator", OWN),
    "jobordercorrections.restore": ("coordinator", OWN),
    "jobordercorrections.withdraw_referral": ("user", OWN),
    # campaigns: coordinators build them; each target is worked by its lead centre
    "campaigns.index": ("user", ANY),
    "campaigns.detail": ("user", ANY),
    "campaigns.new": ("coordinator", ANY),
    "campaigns.build": ("coordinator", ANY),
    "campaigns.set_status": ("coordinator", ANY),
    "campaigns.export": ("user", ANY),
    "campaigns.target": ("user", ANY),
    "campaigns.target_lead": ("coordinator", OWN),
    "campaigns.bulk_targets": ("coordinator", ANY),  # the list's bulk form; the rule is per checked target
    "campaigns.target_link": ("user", OWN),
    "campaigns.target_remove": ("user", OWN),
    "campaigns.target_restore": ("user", OWN),
    "campaigns.target_status": ("user", OWN),
    "campaigns.import_outcomes": ("user", ANY),  # each row is checked against the user's centre
    # notifications: each user's own; the unsubscribe link needs no login (a forged token is a 400)
    "notifications.index": ("user", ANY),
    "notifications.mark_read": ("user", ANY),
    "notifications.settings": ("user", ANY),
    "notifications.weekly_preview": ("user", ANY),
    "unsubscribe.unsubscribe_view": ("public", ANY, 400),
    # activities: anyone records on any company; only the author edits, within a day (the fixture's
    # activity was recorded by NRS itself, so nobody may); tasks are changed by the lead centre's staff
    "activities.new": ("user", ANY),
    "activities.edit": ("user", ANY, 403),
    "activities.delete": ("user", ANY, 403),
    "activities.tasks": ("user", ANY),
    "activities.task_new": ("user", ANY),
    "activities.task": ("user", OWN),
    "activities.task_done": ("user", OWN),
    "activities.task_reopen": ("user", OWN),
    "activities.task_reassign": ("user", OWN),
    # enquiries: any centre logs and reads them; the lead centre works them; coordinators re-route
    "enquiries.index": ("user", ANY),
    "enquiries.new": ("user", ANY),
    "enquiries.detail": ("user", ANY),
    "enquiries.take": ("user", OWN),
    "enquiries.answer": ("user", OWN),
    "enquiries.close": ("user", OWN),
    "enquiries.reroute": ("coordinator", OWN),
    "enquiries.to_order": ("user", OWN),
    "enquiries.to_agreement": ("user", OWN),
    "enquiries.to_activity": ("user", OWN),
    "enquiries.attachment": ("user", ANY, 404),  # the fixture's file is not on disk
    "kontakt.form": ("public", ANY),
    "kontakt.thanks": ("public", ANY),
    # reports
    "reports.index": ("user", ANY),
    "reports.download": ("user", ANY),
    "reports.subscriptions": ("coordinator", ANY),
    "reports.subscription_stop": ("coordinator", OWN),  # a coordinator of the centre that made it
    # the read-only API: an API key in Authorization: Bearer, never a session (401 for every role
    # here; tests/api/ tests the keys); its description is public
    "api.companies": ("token", ANY),
    "api.company": ("token", ANY),
    "api.job_orders": ("token", ANY),
    "api.job_order": ("token", ANY),
    "api.agreements": ("token", ANY),
    "api.agreement": ("token", ANY),
    "api.campaigns": ("token", ANY),
    "api.campaign_targets": ("token", ANY),
    "api.status": ("token", ANY),
    "api.period": ("token", ANY),
    "api.openapi": ("public", ANY),
    "api_admin.tokens_page": ("admin", ANY),
    "api_admin.revoke": ("admin", ANY),
    "api.docs": ("public", ANY),
}

def test_every_route_has_an_access_rule_and_an_expectation(app):
    missing_rule = [e for e in app.view_functions if rule_of(app, e) is None]
    assert not missing_rule, f"routes without @access: {missing_rule}"
    no_row = sorted({e for e, _r, _m in ROUTES} - EXPECTED.keys())
    assert not no_row, f"add these routes to EXPECTED in tests/test_access_control.py: {no_row}"
    stale = sorted(EXPECTED.keys() - {e for e, _r, _m in ROUTES})
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"
    for endpoint, (level, *_rest) in EXPECTED.items():
        assert rule_of(app, endpoint) == level, f"{endpoint}: rule {rule_of(app, endpoint)!r}, table says {level!r}"


#: Destructive or closing actions that show a confirmation page first (tests/test_confirm.py).
ASKS_FIRST = frozenset({
    "agreements.delete", "sectors.delete", "joborders.unfilled", "campaigns.set_status", "campaigns.target_remove",
    "companies.contact_delete", "activities.delete", "api_admin.revoke", "auth.totp_reset", "enquiries.close",
    "reports.subscription_stop",
})


def _expected(endpoint: str, method: str, role: str) -> set[int]:
    level, own, *rest = EXPECTED[endpoint]
    ok = [rest[0]] if rest and rest[0] is not None else []
    refusal = rest[1] if len(rest) > 1 else {403}
    if level == "token":
        return {401}
    if level == "public":
        if endpoint == "auth.login" and role != "anonymous":
            return {200}
        return {ok[0]} if ok else ({200} if method == "GET" else {302, 400})
    if role == "anonymous":
        return {302}
    if RANK[role] < LEVEL_RANK[level]:
        return {403}
    if own and role in OTHER_CENTRE and method == "POST":
        return refusal
    if own and role in OTHER_CENTRE and method == "GET":
        return {200, 403}  # an edit form: seeing it is harmless, saving it is refused
    if ok:
        return {ok[0]}
    if method == "POST" and endpoint in ASKS_FIRST:
        return {200, 302, 400, 409}  # 200: the confirmation page (nrs.confirm), nothing done yet
    return {200} if method == "GET" else {302, 400, 409}


def _post(client, url: str, logged_in: bool):
    from tests.conftest import csrf_token

    # Every page carries the token (the log-out form); the password page is among the cheapest.
    token = csrf_token(client, "/adgangskode" if logged_in else "/login")
    return client.post(url, data={"csrf_token": token})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=[f"{m} {r}" for _e, r, m in ROUTES])
def test_route_by_role(client, make_user, world, endpoint, rule, method, role):
    if endpoint not in EXPECTED:
        pytest.fail(f"no expectation for {endpoint} ({rule}): add it to EXPECTED")
    url = world(rule)
    if role != "anonymous":
        centre = 217 if role in OTHER_CENTRE else 201
        user = make_user(role={"other": "staff", "other_coordinator": "coordinator"}.get(role, role), centre=centre)
        assert login(client, user.email).status_code == 302
    if method == "POST":
        assert client.get(url).status_code == 405, f"GET {url} must not be allowed (POST-only)"
        response = _post(client, url, role != "anonymous")
    else:
        response = client.get(url)
    expected = _expected(endpoint, method, role)
    assert response.status_code in expected, f"{role} {method} {url}: {response.status_code}, expected {expected}"
    if response.status_code == 302 and role == "anonymous" and EXPECTED[endpoint][0] != "public":
        assert response.headers["Location"].startswith("/login?next="), response.headers["Location"]


@pytest.mark.parametrize(("endpoint", "rule", "method"), WITH_IDS, ids=[f"{m} {r}" for _e, r, m in WITH_IDS])
def test_unknown_object_is_404(client, login_as, world, endpoint, rule, method):
    login_as("admin")
    url = world(rule, missing=True)
    response = client.get(url) if method == "GET" else _post(client, url, True)
    assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_another_centres_staff_cannot_change_a_referral_outcome(client, make_user, world, session):
    from nrs.joborders.models import Referral

    url = world("/jobordrer/<int:order_id>/henvisninger/<int:referral_id>")
    referral_id = int(url.rsplit("/", 1)[1])
    login(client, make_user(role="staff", centre=217).email)
    from tests.conftest import csrf_token

    token = csrf_token(client, url.rsplit("/henvisninger", 1)[0])
    response = client.post(url, data={"csrf_token": token, f"outcome{referral_id}-outcome": "hired"})
    assert response.status_code in (400, 403)
    session.expire_all()
    assert session.get(Referral, referral_id).outcome == "referred"
