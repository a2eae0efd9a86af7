"""A history like the seed's status item: 32 orders from December 2015, at the end of March 2016
10 filled, 6 unfilled and 16 still open (some close only in April), plus one order of April."""

from __future__ import annotations

import random
from datetime import date, timedelta

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
