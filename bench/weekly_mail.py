"""The Monday run on a fresh embedded SQLite: compute, render and queue the weekly e-mail for
USERS opted-in users over ORDERS job orders, then deliver it to a loopback SMTP server.

Prints seconds for each step and messages per second. Run:
``.venv/bin/python -m bench.weekly_mail [USERS] [ORDERS]`` (default 450 users, 5,000 orders).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlmodel import select

from nrs import create_app
from nrs.auth.models import Role, User
from nrs.companies.models import Company
from nrs.config import Settings
from nrs.db import session_scope, upgrade
from nrs.joborders.models import Hire, JobOrder, JobOrderEvent
from nrs.joborders.states import JobOrderState
from nrs.mail.services import send_due
from nrs.municipalities.models import JobCentre
from nrs.municipalities.services import load_reference_data
from nrs.reports import weekly


class Sink:
    received = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.received += 1
        return "250 OK"


def populate(engine, users: int, orders: int, rng: random.Random) -> None:
    with session_scope(engine) as s:
        centres = list(s.exec(select(JobCentre)))
        for i in range(users):
            c = centres[i % len(centres)]
            s.add(User(email=f"user{i}@c{c.municipality_code}.test", name=f"Bruger {i}", job_centre_id=c.id,
                       role=Role.admin if i % 50 == 0 else Role.staff, password_hash="x"))
        companies = []
        for i in range(200):
            c = centres[i % len(centres)]
            company = Company(cvr=f"{10000000 + i}", name=f"Virksomhed {i}", name_search=f"virksomhed {i}",
                              municipality_code=c.municipality_code, industry_code="412000",
                              lead_centre_id=c.id)
            s.add(company)
            companies.append(company)
        s.flush()
        for i in range(orders):
            company = companies[i % len(companies)]
            received = date(2016, 1, 1) + timedelta(days=rng.randint(0, 95))
            state = rng.choice([JobOrderState.open, JobOrderState.filled, JobOrderState.unfilled])
            closed = received + timedelta(days=rng.randint(1, 30)) if state != JobOrderState.open else None
            order = JobOrder(company_id=company.id, title="Tømrer", received_on=received,
                             lead_centre_id=company.lead_centre_id, state=state, closed_on=closed,
                             unfilled_reason="no_candidates" if state == JobOrderState.unfilled else None)
            s.add(order)
            s.flush()
            s.add(JobOrderEvent(job_order_id=order.id, on_date=received, to_state=JobOrderState.open))
            if closed:
                event = JobOrderEvent(job_order_id=order.id, on_date=closed, from_state=JobOrderState.open,
                                      to_state=state)
                s.add(event)
                s.flush()
                if state == JobOrderState.filled:
                    s.add(Hire(job_order_id=order.id, event_id=event.id, hired_on=closed,
                               centre_id=rng.choice(centres).id))


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 450
    orders = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    tmp = Path(tempfile.mkdtemp(prefix="nrs-bench-weekly-"))
    url = f"sqlite:///{tmp / 'nrs.db'}"
    upgrade(url)
    from tests.mail.smtp import free_port

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    settings = Settings(instance_path=tmp, database_url=url, secret_key="bench", run_scheduler=False,
                        smtp_host="127.0.0.1", smtp_port=port)
    app = create_app(settings)
    engine = app.extensions["nrs_engine"]
    with session_scope(engine) as s:
        load_reference_data(s)
    populate(engine, users, orders, random.Random(1))
    week = weekly.parse_week("2016-W13")
    with app.app_context():
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            weekly.compute(s, week)
        t1 = time.perf_counter()
        with session_scope(engine) as s:
            queued = weekly.enqueue_weekly(s, week=week, now=datetime(2016, 4, 4, 5, tzinfo=UTC))
        t2 = time.perf_counter()
        sent = 0
        while True:
            report = send_due(engine, now=datetime(2016, 4, 4, 5, tzinfo=UTC), settings=settings, limit=100)
            sent += len(report.sent)
            if report.claimed < 100:
                break
        t3 = time.perf_counter()
    controller.stop()
    print(f"weekly e-mail, {users} users, {orders} orders (SQLite)")
    print(f"  figures for all centres: {t1 - t0:.2f} s")
    print(f"  render + queue {len(queued)} messages: {t2 - t1:.2f} s ({len(queued) / (t2 - t1):.0f}/s)")
    print(f"  SMTP delivery of {sent} messages: {t3 - t2:.2f} s ({sent / (t3 - t2):.0f}/s);"
          f" server received {Sink.received}")


if __name__ == "__main__":
    main()
