"""A history like the seed's status item: 32 orders from December 2015, at the end of March 2016
10 filled, 6 unfilled and 16 still open (some close only in April), plus one order of April."""

from __future__ import annotations

import random
from datetime import date, timedelta

from nrs.clock import today
from nrs.joborders import services
from nrs.joborders.models import JobOrder
from nrs.joborders.states import JobOrderState

CODES = [201, 210, 217, 219, 223, 240, 250, 260, 270]


def make_seed_like(make_company, make_job_order, centre_by_code, **company):
    rng = random.Random(2016)
    companies = [make_company(municipality_code=code, **company) for code in CODES]
    start = date(2015, 12, 1)
    plan = (["filled"] * 10 + ["unfilled"] * 6 + ["open"] * 8 + ["paused"] * 3
            + ["filled_in_april"] * 3 + ["unfilled_in_april"] * 2)
    for i, kind in enumerate(plan):
        received = start + timedelta(days=rng.randrange(0, 100))
        company_ = companies[i % len(companies)]
        if kind in ("filled", "unfilled"):
            closed = min(received + timedelta(days=rng.randrange(1, 30)), date(2016, 3, 31))
            make_job_order(company_, kind, received_on=received, closed_on=closed,
                           hired_from=centre_by_code(rng.choice(CODES)).id)
        elif kind.endswith("_in_april"):
            make_job_order(company_, kind.removesuffix("_in_april"), received_on=received,
                           closed_on=date(2016, 4, rng.randrange(1, 28)))
        else:
            make_job_order(company_, kind, received_on=received, paused_on=date(2016, 3, 31))
    # received after the date: not counted
    make_job_order(companies[0], "filled", received_on=date(2016, 4, 1), closed_on=date(2016, 4, 2))
    return companies


def random_history(session, make_company, make_user, centre_by_code, rng, *, steps=150):
    """Orders logged, paused, filled, closed, reopened (also across period boundaries) over 200 days."""
    steering = make_user("admin", 201)  # reopens any centre's order (a coordinator only their own)
    centres = [centre_by_code(code).id for code in CODES]
    companies = [make_company(municipality_code=code, industry_code=rng.choice(["412000", "494100", "620100"]))
                 for code in CODES]
    start = today() - timedelta(days=200)
    made: list[JobOrder] = []
    for step in range(steps):
        action = rng.choice(["log", "log", "pause", "resume", "fill", "unfilled", "reopen", "reopen"])
        if action == "log" or not made:
            made.append(services.log_job_order(session, by=None, company=rng.choice(companies), title=f"S{step}",
                                               received_on=start + timedelta(days=rng.randrange(0, 150))))
            session.commit()
            continue
        order = rng.choice(made)
        state = JobOrderState(order.state)
        last = services.last_event(session, order.id).on_date
        on = min(today(), last + timedelta(days=rng.choice([0, 1, 3, 10, 30])))
        kw = dict(by=None, expected_version=order.version, on_date=on)
        if action == "pause" and state == JobOrderState.open:
            services.pause(session, order, **kw)
        elif action == "resume" and state == JobOrderState.paused:
            services.resume(session, order, **kw)
        elif action == "fill" and not state.is_closed:
            services.fill(session, order, **kw, hires=[services.NewHire(centre_id=rng.choice(centres), hired_on=on)])
        elif action == "unfilled" and not state.is_closed:
            services.close_unfilled(session, order, **kw, unfilled_reason="no_candidates")
        elif action == "reopen" and state.is_closed:
            services.reopen(session, order, **{**kw, "by": steering}, reason="Kandidaten sprang fra")
        session.commit()
    return start
