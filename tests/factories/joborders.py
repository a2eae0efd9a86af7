"""``make_job_order(company=None, state="open", **kw)``: a committed order with its history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nrs.joborders import services
from nrs.joborders.models import UnfilledReason
from nrs.joborders.states import JobOrderState


@pytest.fixture
def make_job_order(session, make_company):
    """Goes through the services, so the order has the events a real one would have.

    ``received_on`` defaults to 1 March 2016; ``closed_on`` (filled/unfilled) to ten days later;
    ``paused_on`` to five days later; a filled order is hired from ``hired_from`` (a centre id,
    default the lead centre; a list: one hire from each); positions beyond the hires are withdrawn.
    Other keywords go to ``log_job_order``.
    """

    def make(company=None, state: str = "open", *, by=None, received_on: date = date(2016, 3, 1),
             closed_on: date | None = None, paused_on: date | None = None, hired_from: int | list | None = None,
             unfilled_reason: str = UnfilledReason.no_candidates.value, **kw):
        company = company or make_company()
        kw.setdefault("title", "Tømrer")
        order = services.log_job_order(session, by=by, company=company, received_on=received_on, **kw)
        state = JobOrderState(state)
        if state == JobOrderState.paused:
            services.pause(session, order, by=by, expected_version=order.version,
                           on_date=paused_on or received_on + timedelta(days=5))
        elif state == JobOrderState.filled:
            on = closed_on or received_on + timedelta(days=10)
            centres = hired_from if isinstance(hired_from, list) else [hired_from or order.lead_centre_id]
            services.fill(session, order, by=by, expected_version=order.version, on_date=on,
                          hires=[services.NewHire(centre_id=c, hired_on=on) for c in centres],
                          remaining=services.NewOutcome("withdrawn") if order.positions > len(centres) else None)
        elif state == JobOrderState.unfilled:
            services.close_unfilled(session, order, by=by, expected_version=order.version,
                                    on_date=closed_on or received_on + timedelta(days=10),
                                    unfilled_reason=unfilled_reason)
        session.commit()
        return order

    return make
