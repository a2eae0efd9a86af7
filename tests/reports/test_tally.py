"""Today's figures come from the running tally; they must always equal what the history says for today."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import sqlalchemy as sa
from alembic import command

from nrs.clock import today
from nrs.db import alembic_config, begin_write
from nrs.joborders import services, tally
from nrs.joborders.models import JobOrder
from nrs.joborders.states import JobOrderState
from nrs.joborders.tally import Positions
from nrs.reports import snapshots
from nrs.reports.queries import _snapshot, figures_with_statistics, status_figures
from tests.reports.seedlike import random_fill, random_outcome

CODES = (201, 210, 217, 219, 223, 240, 250, 260, 270)


def _plain(snapshot):
    by_lead, other, positions = snapshot
    return ({lead: {state: dict(days) for state, days in states.items() if days}
             for lead, states in by_lead.items() if any(states.values())},
            {lead: n for lead, n in other.items() if n},
            {lead: p for lead, p in positions.items() if p != Positions()})


def assert_tally_equals_history(session):
    session.expire_all()
    assert _plain(tally.snapshot(session)) == _plain(_snapshot(session, today()))
    assert tally.differences(session) == {}
    # the status report for today reads the tally: the same figures as the history's
    assert snapshots.status_as_of(session, today()) == status_figures(session, as_of=today())


def test_every_kind_of_change_keeps_the_tally_equal_to_the_history(session, make_company, make_user,
                                                                   centre_by_code):
    """A random working month: logging, pausing, filling from other centres, closing, reopening,
    moving the lead and correcting the received date, checked against the history after each step."""
    rng = random.Random(8)
    centres = [centre_by_code(code).id for code in CODES]
    steering = make_user("admin", 201)  # reopens any centre's order (a coordinator only their own)
    companies = [make_company(municipality_code=code) for code in CODES]
    start = today() - timedelta(days=60)
    orders: list[JobOrder] = []
    for step in range(120):
        action = rng.choice(["log", "log", "pause", "resume", "fill", "unfilled", "reopen", "lead", "received",
                             "position", "position", "positions"])
        if action == "log" or not orders:
            orders.append(services.log_job_order(
                session, by=None, company=rng.choice(companies), title=f"Stilling {step}",
                received_on=start + timedelta(days=rng.randrange(0, 30)), positions=rng.choice([1, 2, 3, 4])))
        else:
            order = rng.choice(orders)
            state = JobOrderState(order.state)
            last = services.last_event(session, order.id).on_date
            on = min(today(), last + timedelta(days=rng.randrange(0, 10)))
            if action == "pause" and state == JobOrderState.open:
                services.pause(session, order, by=None, expected_version=order.version, on_date=on)
            elif action == "resume" and state == JobOrderState.paused:
                services.resume(session, order, by=None, expected_version=order.version, on_date=on)
            elif action == "fill" and not state.is_closed:
                random_fill(session, order, rng, centres, by=None, expected_version=order.version, on_date=on)
            elif action == "position" and not state.is_closed:
                random_outcome(session, order, rng, centres, by=None, expected_version=order.version, on_date=on)
            elif action == "positions" and not state.is_closed:
                more = order.positions + rng.randrange(1, 3)
                services.update_job_order(session, order, by=None, expected_version=order.version, positions=more)
            elif action == "unfilled" and not state.is_closed:
                services.close_unfilled(session, order, by=None, expected_version=order.version, on_date=on,
                                        unfilled_reason="no_candidates")
            elif action == "reopen" and state.is_closed:
                services.reopen(session, order, by=steering, expected_version=order.version, on_date=on,
                                reason="Kandidaten sprang fra")
            elif action == "lead":
                services.update_job_order(session, order, by=None, expected_version=order.version,
                                          lead_centre_id=rng.choice(centres), lead_reason="Flyttet")
            elif action == "received" and state == JobOrderState.open and last == order.received_on:
                services.update_job_order(session, order, by=None, expected_version=order.version,
                                          received_on=order.received_on - timedelta(days=rng.randrange(1, 5)))
        session.commit()
        if step % 10 == 9:
            assert_tally_equals_history(session)
    assert_tally_equals_history(session)
    states = set(session.execute(sa.select(JobOrder.state).distinct()).scalars())
    assert {JobOrderState.open, JobOrderState.filled, JobOrderState.unfilled} <= {JobOrderState(s) for s in states}
    figures = status_figures(session, as_of=today())
    assert figures["positions_hired"] > 0 and figures["positions_other"] > 0 and figures["positions_open"] > 0


def test_front_page_and_status_report_agree_for_today(client, cli_run, session, login_as, make_job_order,
                                                      centre_by_code):
    received = today() - timedelta(days=20)
    make_job_order(state="filled", received_on=received, closed_on=received + timedelta(days=4),
                   hired_from=centre_by_code(250).id)
    make_job_order(state="unfilled", received_on=received)
    make_job_order(state="paused", received_on=received)
    make_job_order(received_on=received)
    login_as("staff", 201)
    page = client.get("/").get_data(as_text=True)
    r = cli_run("reports", "status", "--as-of", today().isoformat(), "--json")
    history = json.loads(r.output)
    figures, stats = figures_with_statistics(session, as_of=today())
    for key in ("orders_received", "orders_filled", "orders_unfilled", "orders_open", "hires_from_other_centres"):
        assert figures[key] == history[key], key
    assert figures["by_centre"] == history["by_centre"]
    assert (history["orders_received"], history["orders_filled"], history["orders_open"]) == (4, 1, 2)
    assert stats["NRS"]["median_days_to_fill"] == 4
    assert "50 %" in page  # fill rate: 1 filled of 2 closed


def test_nightly_check_finds_and_repairs_a_drifted_count(cli_run, session, make_job_order, caplog):
    make_job_order(state="filled", received_on=today() - timedelta(days=10), closed_on=today())
    make_job_order(received_on=today() - timedelta(days=3))
    assert cli_run("scheduler", "fire", "job_order_tally", "--due", "2026-01-05T04:30").exit_code == 0
    assert "tally differed" not in caplog.text
    session.execute(sa.text("UPDATE job_order_tally SET orders = orders + 5 WHERE state = 'open'"))
    session.commit()
    assert cli_run("scheduler", "fire", "job_order_tally", "--due", "2026-01-06T04:30").exit_code == 0
    assert "tally differed from a recount in 1 places" in caplog.text
    assert_tally_equals_history(session)


def test_the_migration_counts_the_orders_already_there(database_url, session, make_job_order, centre_by_code):
    received = today() - timedelta(days=30)
    make_job_order(state="filled", received_on=received, hired_from=centre_by_code(210).id)
    make_job_order(state="unfilled", received_on=received)
    make_job_order(received_on=received)
    before = tally.stored(session)
    session.close()
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0008")
    command.upgrade(cfg, "head")
    assert tally.stored(session) == before
    assert sum(r.orders for r in before.values()) == 3 and sum(r.other_hires for r in before.values()) == 1


def test_a_close_during_an_import_waits_for_it_instead_of_deadlocking(app, database_url, session, make_company,
                                                                      make_job_order):
    """The import holds Allerød's open row and is about to take its filled row, while a colleague
    fills another Allerød order (filled row, then open row). Without the import taking the tally
    first, PostgreSQL would find a deadlock and fail one of them."""
    import threading
    import time

    from sqlmodel import Session

    from nrs.db import make_engine

    received = today() - timedelta(days=5)
    company = make_company(municipality_code=201)
    existing = make_job_order(company, received_on=received)
    engine = make_engine(database_url)
    outcome: list[str] = []

    def colleague_fills():
        with app.app_context(), Session(engine) as s:
            try:
                begin_write(s)
                order = s.get(JobOrder, existing.id)
                services.fill(s, order, by=None, expected_version=order.version, on_date=today(),
                              hires=[services.NewHire(centre_id=order.lead_centre_id, hired_on=today())])
                s.commit()
                outcome.append("filled")
            except Exception as exc:  # a deadlock would land here
                s.rollback()
                outcome.append(repr(exc))

    with app.app_context(), Session(engine) as importing:
        begin_write(importing)
        tally.lock_for_many(importing)
        first = services.log_job_order(importing, by=None, company=importing.get(type(company), company.id),
                                       title="Importeret 1", received_on=received)
        colleague = threading.Thread(target=colleague_fills)
        colleague.start()
        time.sleep(0.5)  # let the colleague reach the tally (or SQLite's write lock) and wait there
        services.fill(importing, first, by=None, expected_version=first.version, on_date=today(),
                      hires=[services.NewHire(centre_id=first.lead_centre_id, hired_on=today())])
        importing.commit()
    colleague.join(timeout=60)
    engine.dispose()
    assert outcome == ["filled"]
    assert_tally_equals_history(session)
