from __future__ import annotations

import random

from sqlmodel import Session, select

from nrs.enquiries import demo
from nrs.enquiries.models import Enquiry, EnquiryStatus
from nrs.mail.models import OutboxMessage


def test_demo_enquiries_are_routed_and_send_no_mail(app, engine, session, make_company, make_user):
    for code in (201, 219, 101):
        make_company(municipality_code=code)
    make_user("staff", 201)
    make_user("staff", 219)
    with app.app_context(), Session(engine) as s:
        demo.load(s, rng=random.Random(1))
        s.commit()
    rows = session.exec(select(Enquiry)).all()
    assert len(rows) == 12
    assert any(r.lead_centre_id is None and r.prospect_name for r in rows)  # the coordinators' queue
    assert any(r.status == EnquiryStatus.taken for r in rows)
    assert session.exec(select(OutboxMessage)).all() == []
