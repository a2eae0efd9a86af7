from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.privacy.jobs import months_before, run_retention
from nrs.privacy.models import AccessLogEntry, AnonymisedReferral
from tests.privacy.helpers import make_closed_order_with_referral, make_company_row, make_log_row

NOW = datetime(2017, 6, 15, 3, 0, tzinfo=UTC)


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2017, 6, 15), 12) == date(2016, 6, 15)
    assert months_before(date(2017, 3, 31), 1) == date(2017, 2, 28)
    assert months_before(date(2017, 1, 10), 6) == date(2016, 7, 10)


def _log(session, at):
    return make_log_row(session, at=at)


def test_access_log_entries_older_than_six_months_are_purged(session, settings, app, make_user):
    old = _log(session, datetime(2016, 12, 14, tzinfo=UTC)).id
    kept = _log(session, datetime(2016, 12, 16, tzinfo=UTC)).id
    with app.app_context():
        result = run_retention(session, now=NOW, settings=settings)
    session.commit()
    ids = {e.id for e in session.exec(select(AccessLogEntry).where(AccessLogEntry.entity_id == "1"))}
    assert result.access_log_purged == 1
    assert ids == {kept} and old not in ids


def test_dry_run_counts_and_changes_nothing(session, settings, app):
    _log(session, datetime(2016, 1, 1, tzinfo=UTC))
    with app.app_context():
        result = run_retention(session, now=NOW, settings=settings, dry_run=True)
    session.commit()
    assert result.access_log_purged == 1
    assert len(session.exec(select(AccessLogEntry)).all()) == 1


def test_case_references_go_twelve_months_after_the_order_closed(session, settings, app, centre_by_code):
    from nrs.joborders.models import Referral

    lead, other = centre_by_code(201).id, centre_by_code(217).id
    company = make_company_row(session, centre_id=lead)
    _o1, old = make_closed_order_with_referral(session, company=company, lead_centre_id=lead,
                                               referring_centre_id=other, closed_on=date(2016, 6, 15))
    _o2, recent = make_closed_order_with_referral(session, company=company, lead_centre_id=lead,
                                                  referring_centre_id=other, closed_on=date(2016, 6, 16),
                                                  state="unfilled")
    with app.app_context():
        first = run_retention(session, now=NOW, settings=settings)
        session.commit()
        second = run_retention(session, now=NOW, settings=settings)
        session.commit()
    assert (first.referrals_anonymised, second.referrals_anonymised) == (1, 0)

    rows = {r.id: r for r in session.exec(select(Referral))}
    assert rows[old.id].case_reference == "" and rows[old.id].note == ""
    # The counts the reports need survive: the row, its centre, outcome and dates.
    assert rows[old.id].referring_centre_id == other and rows[old.id].referred_on == date(2016, 1, 10)
    assert rows[old.id].outcome == old.outcome
    assert rows[recent.id].case_reference == "SAG-2016-0042"
    marked = {a.referral_id for a in session.exec(select(AnonymisedReferral))}
    assert marked == {old.id}
    runs = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "retention")).all()
    assert len(runs) == 1 and runs[0].changes["referrals_anonymised"] == 1


def _open_order_with_referrals(session, lead, *, state, referred_on):
    from nrs.joborders.models import JobOrder, Referral
    from nrs.joborders.states import JobOrderState

    company = make_company_row(session, centre_id=lead)
    order = JobOrder(company_id=company.id, title="Tømrer", received_on=date(2015, 1, 5), lead_centre_id=lead,
                     state=JobOrderState(state))
    session.add(order)
    session.commit()
    referrals = [Referral(job_order_id=order.id, referring_centre_id=lead, referred_on=day,
                          case_reference=f"SAG-{day.isoformat()}", note="Truckcertifikat") for day in referred_on]
    session.add_all(referrals)
    session.commit()
    return referrals


@pytest.mark.parametrize("state", ["open", "paused"])
def test_orders_left_open_lose_case_references_twelve_months_after_the_referral(session, app, settings,
                                                                                centre_by_code, state):
    """An order nobody closes must not keep a citizen's case reference for ever."""
    from nrs.joborders.models import Referral

    old, recent = _open_order_with_referrals(session, centre_by_code(201).id, state=state,
                                             referred_on=[date(2016, 6, 15), date(2016, 6, 16)])
    with app.app_context():
        first = run_retention(session, now=NOW, settings=settings)
        session.commit()
        assert run_retention(session, now=NOW, settings=settings).referrals_anonymised == 0
    assert first.referrals_anonymised == 1
    rows = {r.id: r for r in session.exec(select(Referral))}
    assert (rows[old.id].case_reference, rows[old.id].note) == ("", "")
    assert rows[old.id].referred_on == date(2016, 6, 15)
    assert rows[recent.id].case_reference == "SAG-2016-06-16" and rows[recent.id].note == "Truckcertifikat"


def test_anonymising_a_referral_also_blanks_its_note_in_the_audit_log(session, app, settings, make_job_order,
                                                                     centre_by_code):
    from nrs.joborders import services

    order = make_job_order(received_on=date(2016, 1, 4))
    referral = services.add_referral(session, order, by=None, referring_centre_id=centre_by_code(217).id,
                                     referred_on=date(2016, 1, 5), case_reference="SAG-9", note="")
    services.update_referral_outcome(session, referral, by=None, outcome="interview", note="Ringer efter kl. 16")
    session.commit()
    with app.app_context():
        run_retention(session, now=NOW, settings=settings)
    session.commit()
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "referral",
                                                   AuditEvent.entity_id == str(referral.id))).all()
    assert [e.action for e in events] == ["create", "update"]
    assert "Ringer" not in json.dumps([e.changes for e in events])
    assert events[1].changes["note"] == ["[slettet]", "[slettet]"]
    assert events[1].changes["outcome"] == ["referred", "interview"]  # what kind of change stays


def test_cli_retention_dry_run_and_real_run(cli_run, session):
    _log(session, datetime(2000, 1, 1, tzinfo=UTC))
    dry = cli_run("privacy", "retention", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "1 poster i adgangsloggen" in dry.output and "ville blive" in dry.output
    assert len(session.exec(select(AccessLogEntry)).all()) == 1
    real = cli_run("privacy", "retention")
    assert real.exit_code == 0
    assert "blev slettet" in real.output
    assert session.exec(select(AccessLogEntry).where(AccessLogEntry.entity_id == "1")).all() == []
    again = cli_run("privacy", "retention")
    assert again.output.startswith("0 poster")


def test_the_period_comes_from_the_settings_given_not_the_environment(session, settings, monkeypatch):
    """The scheduler passes the app's settings; the environment is never read again."""
    monkeypatch.setenv("NRS_ACCESS_LOG_RETENTION_MONTHS", "1")
    _log(session, datetime(2017, 5, 1, tzinfo=UTC))  # six weeks old on NOW
    assert run_retention(session, now=NOW, settings=settings).access_log_purged == 0
    shorter = settings.with_(access_log_retention_months=1)
    assert run_retention(session, now=NOW, settings=shorter).access_log_purged == 1
