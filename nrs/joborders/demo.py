"""Demo job orders: a few dozen, in every state, spread over the last months, with referrals and hires."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from nrs.agreements.models import Agreement
from nrs.auth.models import Role, User
from nrs.clock import today
from nrs.companies.models import Company
from nrs.joborders import services
from nrs.joborders.models import Channel, ReferralOutcome, UnfilledReason
from nrs.workdays import next_or_same_working_day

TITLES = ["Tømrer", "Murer", "Elektriker", "VVS-montør", "Chauffør C/CE", "Lagermedarbejder", "Buschauffør",
          "Kok", "Tjener", "Rengøringsassistent", "Maskinfører", "Anlægsgartner", "Smed", "Truckfører",
          "Pædagogmedhjælper", "Social- og sundhedshjælper"]
PLAN = ["open"] * 12 + ["paused"] * 4 + ["filled"] * 14 + ["unfilled"] * 6 + ["reopened"] * 2
WEEKDAY_BACK = 150


def _workday(day):
    """The first Danish working day from ``day`` on (demo orders arrive on working days)."""
    return next_or_same_working_day(day)


def load(session: Session, *, rng) -> None:
    companies = session.exec(
        select(Company).where(Company.lead_centre_id.is_not(None), Company.active.is_(True)).order_by(Company.id)
    ).all()
    if not companies:
        return
    staff: dict[int, list[User]] = {}
    coordinators: dict[int, User] = {}
    for user in session.exec(select(User).where(User.active.is_(True)).order_by(User.id)).all():
        if user.role == Role.staff:
            staff.setdefault(user.job_centre_id, []).append(user)
        elif user.role == Role.coordinator:
            coordinators[user.job_centre_id] = user
    centres = sorted(staff)
    agreements = _agreements_by_company(session)
    end = today() - timedelta(days=1)
    for kind in PLAN:
        company = rng.choice(companies)
        lead = company.lead_centre_id
        if lead not in staff:
            continue
        consultant = rng.choice(staff[lead])
        received = _workday(end - timedelta(days=rng.randrange(20, WEEKDAY_BACK)))
        order = services.log_job_order(
            session, by=consultant, company=company, title=rng.choice(TITLES), positions=rng.choice([1, 1, 1, 2, 3]),
            received_on=received, channel=rng.choice(list(Channel)), place_of_work=company.city,
            deadline_on=received + timedelta(days=rng.choice([14, 21, 30, 45])),
            contact_user_id=consultant.id, agreement_id=rng.choice(agreements.get(company.id, [None])),
        )
        day = received
        referrals = []
        for _ in range(rng.randrange(0, 4) if kind != "filled" else rng.randrange(1, 4)):
            day = min(day + timedelta(days=rng.randrange(1, 6)), end)
            centre = rng.choice(centres)
            referrals.append(services.add_referral(
                session, order, by=rng.choice(staff[centre]), referred_on=day,
                case_reference=f"{centre:02d}-{received.year}-{rng.randrange(100, 9999)}",
                outcome=rng.choice([ReferralOutcome.referred, ReferralOutcome.interview, ReferralOutcome.rejected]),
            ))
        close_on = min(day + timedelta(days=rng.randrange(3, 20)), end)
        if kind == "paused":
            services.pause(session, order, by=consultant, expected_version=order.version, on_date=close_on,
                           reason="Virksomheden har kandidater nok lige nu")
        elif kind in ("filled", "reopened"):
            # the last referrals got the jobs (one per position at most); the company withdrew the rest
            hired = referrals[-order.positions:] if referrals else []
            hires = ([services.NewHire(centre_id=r.referring_centre_id, hired_on=close_on, referral_id=r.id)
                      for r in hired] or [services.NewHire(centre_id=lead, hired_on=close_on)])
            services.fill(session, order, by=consultant, expected_version=order.version, on_date=close_on,
                          hires=hires, remaining=services.NewOutcome("withdrawn") if len(hires) < order.positions
                          else None)
            if kind == "reopened" and close_on + timedelta(days=2) <= end and lead in coordinators:
                services.reopen(session, order, by=coordinators[lead], expected_version=order.version,
                                on_date=close_on + timedelta(days=2), reason="Kandidaten sprang fra i prøvetiden")
        elif kind == "unfilled":
            reason = rng.choice(list(UnfilledReason))
            services.close_unfilled(session, order, by=consultant, expected_version=order.version,
                                    on_date=close_on, unfilled_reason=reason,
                                    unfilled_reason_text="Stillingen blev nedlagt" if reason == UnfilledReason.other
                                    else "")
        elif kind == "open" and not referrals and rng.random() < 0.5:
            services.request_help(session, order, by=consultant, message="Vi mangler kandidater - kan I hjælpe?")
    session.flush()


def _agreements_by_company(session: Session) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for agreement_id, company_id in session.execute(select(Agreement.id, Agreement.company_id)).all():
        out.setdefault(company_id, []).append(agreement_id)
    return out
