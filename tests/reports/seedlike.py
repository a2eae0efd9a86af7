"""A history like the seed's status item: 32 orders from December 2015, at the end of March 2016
10 filled, 6 unfilled and 16 still open (some close only in April), plus one order of April."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import select

from nrs.clock import today
from nrs.joborders import services
from nrs.joborders.models import JobOrder, Referral, ReferralOutcome
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
        action = rng.choice(["log", "log", "pause", "resume", "fill", "unfilled", "reopen", "reopen", "position",
                             "refer", "refer"])
        if action == "log" or not made:
            made.append(services.log_job_order(session, by=None, company=rng.choice(companies), title=f"S{step}",
                                               received_on=start + timedelta(days=rng.randrange(0, 150)),
                                               positions=rng.choice([1, 1, 2, 3, 5])))
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
            random_fill(session, order, rng, centres, **kw)
        elif action == "position" and not state.is_closed:
            random_outcome(session, order, rng, centres, **kw)
        elif action == "unfilled" and not state.is_closed:
            services.close_unfilled(session, order, **kw, unfilled_reason="no_candidates")
        elif action == "refer" and state == JobOrderState.open:
            # STAR's referred orders; some referrals dated back before the last event
            services.add_referral(session, order, by=None, referring_centre_id=rng.choice(centres),
                                  referred_on=max(order.received_on, on - timedelta(days=rng.choice([0, 0, 5, 40]))))
        elif action == "reopen" and state.is_closed:
            services.reopen(session, order, **{**kw, "by": steering}, reason="Kandidaten sprang fra")
        session.commit()
    return start


def _random_hire(rng, centres, on, free: list[Referral] | None = None) -> services.NewOutcome:
    """A hire from a random centre, or (mostly, when the order has one left in ``free``, which it
    takes from) of a referred candidate."""
    if free and rng.random() < 0.7:
        referral = free.pop(rng.randrange(len(free)))
        return services.NewOutcome("hired", hire=services.NewHire(centre_id=referral.referring_centre_id,
                                                                  hired_on=on, referral_id=referral.id))
    return services.NewOutcome("hired", hire=services.NewHire(centre_id=rng.choice(centres), hired_on=on))


def _referrals(session, order) -> list[Referral]:
    """The order's referrals not yet hired or withdrawn."""
    return list(session.exec(select(Referral).where(Referral.job_order_id == order.id,
                                                    Referral.outcome != ReferralOutcome.hired,
                                                    Referral.withdrawn_on.is_(None)).order_by(Referral.id)))


def random_fill(session, order, rng, centres, **kw):
    """Close filled: one or more hires (from random centres, or referred) for the open positions, the rest
    withdrawn or filled outside NRS."""
    open_ = services.position_counts(session, order).open
    referrals = _referrals(session, order)
    hires = [_random_hire(rng, centres, kw["on_date"], referrals).hire for _ in range(rng.randrange(1, open_ + 1))]
    remaining = services.NewOutcome(rng.choice(["withdrawn", "outside"])) if len(hires) < open_ else None
    services.fill(session, order, **kw, hires=hires, remaining=remaining)


def random_outcome(session, order, rng, centres, **kw):
    """One position's outcome (hired, outside, withdrawn, unfilled); may close the order when it was the last."""
    kind = rng.choice(["hired", "hired", "outside", "withdrawn", "unfilled"])
    outcome = (_random_hire(rng, centres, kw["on_date"], _referrals(session, order)) if kind == "hired" else
               services.NewOutcome(kind, unfilled_reason="no_candidates" if kind == "unfilled" else None))
    services.resolve_positions(session, order, **kw, outcomes=[outcome])
