"""One deterministic week of NRS (2016-W13, 28-03-2016 to 03-04-2016) for the weekly e-mail tests.

Expected figures for the week, worked out by hand:

| | Allerød | Hillerød | Hørsholm | NRS |
|---|---|---|---|---|
| received in the week | 1 | 1 | 0 | 2 |
| filled in the week | 1 | 0 | 0 | 1 |
| unfilled in the week | 1 | 0 | 0 | 1 |
| open at the week's end (incl. one reopened) | 3 | 1 | 0 | 4 |
| fill rate, all closed as of 03-04 | 50 % | 100 % | – | 67 % |
| open > 14 days without a referral | 2 | 0 | 0 | 2 |
| asking for help | 1 | 0 | 0 | 1 |
| hires of another centre's candidate | 1 | 0 | 0 | 1 |
| agreements ending within 60 days | 1 | 0 | 0 | 1 |

and one running campaign with three targets: Allerød contacted one of its two in the week (30-03),
Hillerød none of one; a draft campaign (left out of the mail). Karen is the NRS contact of the
idle order "Murer" (Allerød), which asks for help: hers to act on, Hillerød's to answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nrs.activities.models import Task
from nrs.agreements.services import create_agreement
from nrs.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    CampaignTargetEvent,
    TargetStatus,
)
from nrs.db import session_scope
from nrs.joborders import services as orders
from nrs.joborders.models import HelpRequest
from nrs.joborders.services import NewHire

WEEK = "2016-W13"
D = date


@pytest.fixture
def week_data(engine, make_company, make_user, centre_by_code):
    allerod, hillerod = centre_by_code(201), centre_by_code(219)
    people = {
        "staff": make_user("staff", 201, email="karen@allerod.test", name="Karen Jensen"),
        "coordinator": make_user("coordinator", 219, email="ole@hillerod.test", name="Ole Hansen"),
        "quiet": make_user("staff", 223, email="lis@horsholm.test", name="Lis Holm"),
        "admin": make_user("admin", 219, email="styregruppe@nrs.test", name="Styregruppen"),
        "opted_out": make_user("staff", 201, email="nej@allerod.test", weekly_email=False),
        "inactive": make_user("staff", 201, email="gone@allerod.test", active=False),
    }
    a = make_company(name="Allerød Byg ApS", municipality_code=201)
    c = make_company(name="Lynge Kloak ApS", municipality_code=201, postal_code="3540", city="Lynge")
    h = make_company(name="Hillerød Transport A/S", municipality_code=219, postal_code="3400",
                     city="Hillerød", industry_code="494100")
    with session_scope(engine) as s:
        def log(company, received, title="Tømrer", contact=None):
            return orders.log_job_order(s, by=None, company=company, title=title, received_on=received,
                                        contact_user_id=contact)

        o1 = log(a, D(2016, 3, 1))
        orders.fill(s, o1, by=None, expected_version=o1.version, on_date=D(2016, 3, 30),
                    hires=[NewHire(centre_id=hillerod.id, hired_on=D(2016, 3, 30))])
        log(a, D(2016, 3, 29))                                   # received in the week, open
        o3 = log(a, D(2016, 3, 1), "Murer", contact=people["staff"].id)  # idle, asks for help; Karen's
        s.add(HelpRequest(job_order_id=o3.id, asked_at=datetime(2016, 3, 25, 9, tzinfo=UTC)))
        o4 = log(a, D(2016, 3, 10))
        orders.close_unfilled(s, o4, by=None, expected_version=o4.version, on_date=D(2016, 4, 1),
                              unfilled_reason="no_candidates")
        o5 = log(h, D(2016, 3, 30), "Chauffør")                  # referred from Allerød
        orders.add_referral(s, o5, by=None, referred_on=D(2016, 3, 31), referring_centre_id=allerod.id,
                            case_reference="SAG-1")
        o6 = log(h, D(2016, 2, 1), "Chauffør")
        orders.fill(s, o6, by=None, expected_version=o6.version, on_date=D(2016, 2, 15),
                    hires=[NewHire(centre_id=hillerod.id, hired_on=D(2016, 2, 15))])
        log(a, D(2016, 4, 5))                                    # after the week
        o8 = log(a, D(2016, 3, 2))                               # filled, then reopened
        orders.fill(s, o8, by=None, expected_version=o8.version, on_date=D(2016, 3, 31),
                    hires=[NewHire(centre_id=allerod.id, hired_on=D(2016, 3, 31))])
        orders.reopen(s, o8, by=None, expected_version=o8.version, on_date=D(2016, 4, 2),
                      reason="Kandidaten sprang fra")
        a_row = s.get(type(a), a.id)
        create_agreement(s, by=None, company=a_row, kind="cooperation", valid_from=D(2016, 1, 1),
                         signed_on=D(2015, 12, 15), valid_to=D(2016, 5, 15))
        campaign = Campaign(name="Bygge og transport, forår 2016", year=2016, status=CampaignStatus.running)
        s.add(campaign)
        s.flush()
        for company, centre, status in ((a, allerod, TargetStatus.contacted),
                                        (c, allerod, TargetStatus.not_contacted),
                                        (h, hillerod, TargetStatus.not_contacted)):
            target = CampaignTarget(campaign_id=campaign.id, company_id=company.id, lead_centre_id=centre.id,
                                    status=status)
            s.add(target)
            s.flush()
            if status == TargetStatus.contacted:   # contacted in the week: one contact for Allerød
                s.add(CampaignTargetEvent(target_id=target.id, from_status=TargetStatus.not_contacted,
                                          to_status=status, status_on=D(2016, 3, 30)))
        # a draft campaign is left out of the mail, whatever was recorded on it
        draft = Campaign(name="Kladde, ikke startet", year=2016, status=CampaignStatus.draft)
        s.add(draft)
        s.flush()
        target = CampaignTarget(campaign_id=draft.id, company_id=h.id, lead_centre_id=hillerod.id,
                                status=TargetStatus.contacted)
        s.add(target)
        s.flush()
        s.add(CampaignTargetEvent(target_id=target.id, from_status=TargetStatus.not_contacted,
                                  to_status=TargetStatus.contacted, status_on=D(2016, 3, 29)))
        # Karen's tasks as the mail is read on Monday 04-04: one overdue, one this week, one done
        # before, one due later (neither of the last two is listed)
        made = datetime(2016, 3, 20, 9, tzinfo=UTC)
        for title, due, done_at in (("Ring tilbage om lærlinge", D(2016, 3, 31), None),
                                    ("Send tilbud", D(2016, 4, 6), None),
                                    ("Book møde", D(2016, 3, 29), datetime(2016, 3, 29, 12, tzinfo=UTC)),
                                    ("Følg op i maj", D(2016, 5, 2), None)):
            s.add(Task(title=title, due=due, assignee_id=people["staff"].id, company_id=a.id,
                       done=done_at is not None, done_at=done_at, created_at=made, updated_at=made))
    return people
