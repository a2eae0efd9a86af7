"""Demo enquiries: the last fortnight's calls, mails and web-form messages, some already taken."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nrs.auth.models import User
from nrs.clock import utcnow
from nrs.companies.models import Company
from nrs.enquiries import services
from nrs.enquiries.models import EnquiryChannel, EnquirySubject

TEXTS = (
    "Vi mangler to faglærte til lageret fra næste måned.",
    "Kan I fortælle om rekrutteringsaftaler? Vi ansætter hvert forår.",
    "Vi overvejer jobrotation, mens to medarbejdere tager en uddannelse.",
    "Ring gerne tilbage om en praktikplads i kantinen.",
    "Vi får måske brug for sæsonhjælp til foråret.",
)
PEOPLE = (("Mette Hansen", "40 11 22 33"), ("Lars Jensen", "21 44 55 66"), ("Anne Nielsen", "30 77 88 99"))


def load(session, *, rng) -> None:
    companies = list(session.exec(select(Company).where(Company.lead_centre_id.is_not(None)).order_by(Company.id)))
    if not companies:
        return
    now = utcnow()
    for i in range(12):
        name, phone = rng.choice(PEOPLE)
        prospect = i % 6 == 5
        company = None if prospect else rng.choice(companies)
        enquiry = services.create_enquiry(
            session, by=None, channel=rng.choice(list(EnquiryChannel)), subject=rng.choice(list(EnquirySubject)),
            company=company, company_name="Nyt Firma ApS" if prospect else "", text=rng.choice(TEXTS),
            contact=services.Contact(name=name, phone=phone), settings=None, notify=False,
            received_at=now - timedelta(days=rng.randint(0, 14), hours=rng.randint(0, 8)),
        )
        if company is not None and i % 3 == 0:
            staff = session.exec(select(User).where(User.job_centre_id == company.lead_centre_id)).first()
            if staff is not None:
                services.take(session, enquiry, by=staff, version=enquiry.version)
