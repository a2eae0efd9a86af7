"""The month-end snapshot must give exactly the history's figures, whatever happened since it was counted."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from nrs.clock import today
from nrs.db import alembic_config
from nrs.joborders import corrections, services, star
from nrs.joborders.models import JobOrder
from nrs.reports import snapshots
from nrs.reports.period import Period, period_report
from nrs.reports.queries import status_figures
from nrs.scheduler.jobs import job_by_id
from tests.reports.seedlike import CODES, random_history


def _random_period(rng, start):
    a = start + timedelta(days=rng.randrange(0, 195))
    return Period(a, min(today(), a + timedelta(days=rng.choice([0, 5, 31, 70, 200]))))


def _whole_months(rng, start):
    """One, three or six whole calendar months (what the presets ask for), ending before this month
    (the history starts 200 days back, so the first month is always an earlier one)."""
    first = (start + timedelta(days=rng.randrange(0, 150))).replace(day=1)
    after = first
    for _ in range(rng.choice([1, 3, 6])):
        after = (after.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, min(after, today().replace(day=1)) - timedelta(days=1))


def assert_snapshot_equals_history(session, rng, start, *, expect_used: bool | None) -> None:
    used = positions_seen = star_used = pairs_used = 0
    leads = sorted(session.exec(select(JobOrder.lead_centre_id).distinct()))
    for i in range(8):
        period = _random_period(rng, start) if i % 2 else _whole_months(rng, start)
        fast = period_report(session, period)
        assert fast == period_report(session, period, history_only=True), period
        lead = rng.choice(leads)  # one centre's report: its pairs (centre, industry code)
        own = period_report(session, period, centre_id=lead)
        assert own == period_report(session, period, centre_id=lead, history_only=True), (period, lead)
        with snapshots.reading(session):
            star_used += snapshots.star_split(session, period) is not None
            pairs_used += snapshots.centre_split(session, period, lead) is not None
            star_used += snapshots.star_split(session, period, centre_id=lead) is not None
        positions_seen += sum(f["positions_hired"] + f["positions_other"] for f in fast["by_sector"].values())
        day = period.end
        snap = snapshots.status_snapshot(session, day)
        if snap is not None:
            used += 1
            assert status_figures(session, as_of=day, snapshot=snap) == status_figures(session, as_of=day), day
    assert positions_seen, "positions should end in some of these periods (per sector: the per-code rows)"
    if expect_used is True:
        assert used and star_used and pairs_used, "the snapshot should have answered some of these"
    elif expect_used is False:
        assert used == star_used == pairs_used == 0


def test_snapshot_equals_the_history_through_later_changes_and_corrections(session, make_company, make_user,
                                                                           centre_by_code, make_focus_sector):
    make_focus_sector(today().year, "Bygge og anlæg", "41,42,43")
    rng = random.Random(5)
    start = random_history(session, make_company, make_user, centre_by_code, rng, steps=120)
    assert snapshots.status_snapshot(session, today()) is None  # nothing counted yet: the history answers
    snapshots.rebuild(session)
    session.commit()
    assert snapshots.usable_month_end(session, today()) is not None
    figures = status_figures(session, as_of=today())  # the history has all that the snapshot must count
    assert figures["positions_hired"] and figures["positions_other"] and figures["positions_open"]
    assert 0 < figures["referral_rate"] < 1 and 0 < figures["star_fill_rate"] < 1
    assert_snapshot_equals_history(session, rng, start, expect_used=True)

    # today's work after the count leaves the counted months standing
    company = make_company(municipality_code=210)
    for i in range(3):
        new = services.log_job_order(session, by=None, company=company, title=f"Ny {i}", received_on=today())
    services.fill(session, new, by=None, expected_version=new.version, on_date=today(),
                  hires=[services.NewHire(centre_id=centre_by_code(201).id, hired_on=today())])
    session.commit()
    assert_snapshot_equals_history(session, rng, start, expect_used=True)

    # more work, some of it dated back into counted months: those months step aside, the answer stays
    random_history(session, make_company, make_user, centre_by_code, rng, steps=60)
    assert_snapshot_equals_history(session, rng, start, expect_used=None)

    # a correction that moves an order to another centre: the snapshot steps aside until recounted
    order = session.exec(select(JobOrder).order_by(JobOrder.id)).first()
    other = next(centre_by_code(c).id for c in CODES if centre_by_code(c).id != order.lead_centre_id)
    services.update_job_order(session, order, by=None, expected_version=order.version, lead_centre_id=other,
                              lead_reason="Flyttet")
    session.commit()
    assert snapshots.usable_month_end(session, today()) is None
    assert_snapshot_equals_history(session, rng, start, expect_used=False)
    job_by_id("report_snapshots").fn(session, now=snapshots.utcnow(), settings=None)
    session.commit()
    assert_snapshot_equals_history(session, rng, start, expect_used=True)

    # STAR splits by occupational group: a new group on an order steps the snapshot aside as well
    order = session.get(JobOrder, order.id)
    services.update_job_order(session, order, by=None, expected_version=order.version,
                              occupational_group="7" if order.occupational_group != "7" else "5")
    session.commit()
    assert snapshots.usable_month_end(session, today()) is None
    assert_snapshot_equals_history(session, rng, start, expect_used=False)
    job_by_id("report_snapshots").fn(session, now=snapshots.utcnow(), settings=None)
    session.commit()

    # and the check can fail: a count off by one in every month shows
    session.execute(sa.text("UPDATE report_month_figures SET orders = orders + 1 WHERE figure = 'open'"))
    session.commit()
    day = snapshots.usable_month_end(session, today())
    assert (status_figures(session, as_of=day, snapshot=snapshots.status_snapshot(session, day))["orders_open"]
            != status_figures(session, as_of=day)["orders_open"])


def test_rebuild_command_and_the_status_command_use_it(cli_run, session, make_job_order):
    d = today() - timedelta(days=90)
    make_job_order(state="filled", received_on=d, closed_on=d + timedelta(days=3))
    make_job_order(received_on=d)
    before = cli_run("reports", "status", "--as-of", (d + timedelta(days=40)).isoformat(), "--json").output
    r = cli_run("reports", "rebuild-snapshots")
    assert r.exit_code == 0 and "rows" in r.output
    assert snapshots.usable_month_end(session, d + timedelta(days=40)) is not None
    assert cli_run("reports", "status", "--as-of", (d + timedelta(days=40)).isoformat(), "--json").output == before


def test_a_referral_recorded_late_or_withdrawn_keeps_star_figures_the_historys(session, make_job_order, make_user,
                                                                             centre_by_code):
    """Referrals are not events: the build remembers the last one it counted, and a withdrawal is a
    correction, so neither leaves a month snapshot with STAR's old referred orders."""
    received = today().replace(day=1) - timedelta(days=100)
    order = make_job_order(received_on=received)
    make_job_order(received_on=received)
    snapshots.rebuild(session)
    session.commit()
    day = today().replace(day=1) - timedelta(days=40)  # a counted month end lies between it and the referral
    assert status_figures(session, as_of=day)["referral_rate"] == 0
    referring = make_user("staff", 250)
    referral = services.add_referral(session, order, by=referring, referred_on=received + timedelta(days=5))
    session.commit()

    def both():
        snap = snapshots.status_snapshot(session, day)
        return (status_figures(session, as_of=day, snapshot=snap) if snap else None), status_figures(session, as_of=day)

    fast, history = both()
    assert history["referral_rate"] == 0.5 and fast in (None, history)
    snapshots.rebuild(session)
    session.commit()
    fast, history = both()
    assert fast == history and fast["referral_rate"] == 0.5  # counted now

    corrections.withdraw_referral(session, referral, by=referring, reason="Registreret ved en fejl")
    session.commit()
    fast, history = both()
    assert history["referral_rate"] == 0 and fast in (None, history)


def test_stars_period_counts_equal_the_whole_history_counts(session, make_company, make_user, centre_by_code):
    """A period's STAR counts (look-ups per order of the period) and the whole history's (two joined
    sets) are two statements for one rule: over a period that holds every order they must agree."""
    rng = random.Random(5)
    start = random_history(session, make_company, make_user, centre_by_code, rng, steps=120)
    for offset in (40, 90, 150, 200):
        day = start + timedelta(days=offset)
        whole = star.counts(session, as_of=day)
        assert star.counts(session, as_of=day, created_from=start - timedelta(days=1)) == whole, day
    totals = star.total(whole.values())
    assert 0 < totals.with_referred_hire < totals.with_referrals < totals.orders
    lead = next(iter(whole))[0]
    assert (star.counts(session, as_of=day, created_from=start, centre_id=lead)
            == {k: c for k, c in whole.items() if k[0] == lead})


def test_migration_0037_drops_old_builds_and_a_centres_report_stays_the_same(database_url, session, make_company,
                                                                             make_user, centre_by_code,
                                                                             make_focus_sector):
    """Migration 0037 on a database with a build of the release before (no pairs, no STAR rows per
    centre and group): the build is gone, so a centre's report reads the history and says the same;
    after the next count it reads the pairs and still says the same."""
    make_focus_sector(today().year, "Bygge og anlæg", "41,42,43")
    rng = random.Random(37)
    start = random_history(session, make_company, make_user, centre_by_code, rng, steps=80)
    lead = centre_by_code(201).id
    periods = [_whole_months(rng, start) for _ in range(3)]
    before = [period_report(session, p, centre_id=lead, history_only=True) for p in periods]
    orders_before = session.execute(sa.select(sa.func.count()).select_from(JobOrder)).scalar_one()
    snapshots.rebuild(session)  # a build as 0036 leaves it: its month rows and STAR rows, no pairs
    session.commit()
    session.close()
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0036")
    session.execute(sa.text("DELETE FROM report_star_months WHERE lead_centre_id <> 0 AND occupational_group <> ''"))
    session.commit()
    assert session.execute(sa.text("SELECT count(*) FROM report_month_builds")).scalar_one() == 1
    session.close()
    command.upgrade(cfg, "head")
    assert session.execute(sa.text("SELECT count(*) FROM report_month_builds")).scalar_one() == 0
    assert session.execute(sa.select(sa.func.count()).select_from(JobOrder)).scalar_one() == orders_before
    with snapshots.reading(session):
        assert snapshots.centre_split(session, periods[0], lead) is None
    assert [period_report(session, p, centre_id=lead) for p in periods] == before
    snapshots.rebuild(session)
    session.commit()
    with snapshots.reading(session):
        assert snapshots.centre_split(session, periods[0], lead) is not None
    assert [period_report(session, p, centre_id=lead) for p in periods] == before
