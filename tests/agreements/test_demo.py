from __future__ import annotations

import random

from sqlmodel import Session, select

from nrs.agreements import demo as agreements_demo
from nrs.agreements import queries
from nrs.agreements.models import Agreement, AgreementKind
from nrs.clock import today
from nrs.sectors import demo as sectors_demo
from nrs.sectors.models import FocusSector


def test_demo_sectors_and_agreements(app, engine, session, make_company):
    for i in range(14):
        make_company(industry_code="412000" if i % 2 else "494100", employees=(60, 99))
    with app.app_context(), Session(engine) as s:
        rng = random.Random(1)
        sectors_demo.load(s, rng=rng)
        agreements_demo.load(s, rng=rng)
        s.commit()
    years = {(x.year, x.name): x.codes for x in session.exec(select(FocusSector))}
    assert years[(2016, "Transport")] == "49,50,51,52,53"
    assert years[(today().year, "Bygge og anlæg")] == "41,42,43"
    assert (today().year, "Industri") in years and (2016, "Hotel og restauration") in years
    kinds = [a.kind for a in session.exec(select(Agreement))]
    # Six in spring 2016 and four this year, two cooperation agreements, one Jobservice Danmark.
    assert [kinds.count(k) for k in AgreementKind] == [10, 2, 1]
    with app.app_context():
        assert len(queries.ending_soon(session, today=today())) == 2
