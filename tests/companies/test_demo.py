from __future__ import annotations

import random

from sqlmodel import Session, select

from nrs.auth.models import User
from nrs.companies import demo
from nrs.companies.models import Company
from nrs.municipalities.models import NRS_MUNICIPALITIES


def test_demo_companies_have_leads_and_contacts_from_the_lead_centre(engine, make_user):
    for code in NRS_MUNICIPALITIES:
        make_user("staff", centre=code)
    with Session(engine) as s:
        demo.load(s, rng=random.Random(7))
        s.commit()
        companies = s.exec(select(Company)).all()
        staff_centre = {u.id: u.job_centre_id for u in s.exec(select(User))}
    assert len(companies) == demo.COMPANIES
    assert {c.municipality_code for c in companies} >= {*NRS_MUNICIPALITIES, 190, 230}
    assert all(c.lead_centre_id is None for c in companies if c.municipality_code in (151,))
    with_contact = [c for c in companies if c.contact_user_id]
    assert len(with_contact) > demo.COMPANIES // 2
    assert all(staff_centre[c.contact_user_id] == c.lead_centre_id for c in with_contact)
    assert sum(c.industry_code[:2] in ("41", "42", "43") for c in companies) > demo.COMPANIES // 6
    assert any(not c.active for c in companies) and any(c.advertising_protected for c in companies)
