"""Demo: calls, visits and notes across the nine centres, with follow-up tasks due, coming and overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nrs.activities import services
from nrs.activities.models import ActivityKind
from nrs.auth.models import Role, User
from nrs.clock import today, utcnow
from nrs.companies.models import Company

SUMMARIES = {
    ActivityKind.call: ("Talte med indehaveren om behovet for chauffører; ring igen om 14 dage.",
                        "Ingen svar; lagt besked på telefonsvareren."),
    ActivityKind.visit: ("Virksomhedsbesøg: rundvisning på lageret, to stillinger på vej.",),
    ActivityKind.meeting: ("Møde om en rekrutteringsaftale for næste år.",),
    ActivityKind.email: ("Sendt information om løntilskud og opkvalificering.",),
    ActivityKind.note: ("Virksomheden foretrækker kontakt om formiddagen.",),
}
KINDS = list(SUMMARIES)


def load(session, *, rng) -> None:
    companies = session.exec(select(Company).where(Company.lead_centre_id.is_not(None), Company.active.is_(True))
                             .order_by(Company.id)).all()
    staff: dict[int, list[User]] = {}
    for user in session.exec(select(User).where(User.role != Role.admin, User.active.is_(True)).order_by(User.id)):
        staff.setdefault(user.job_centre_id, []).append(user)
    if not companies or not staff:
        return
    centres = sorted(staff)
    now, day = utcnow(), today()
    for n, company in enumerate(companies[:80]):
        for k in range(1 + n % 3):
            # Mostly the lead centre's own staff; every fourth contact is another centre's.
            centre = company.lead_centre_id if (n + k) % 4 else centres[(n + k) % len(centres)]
            people = staff.get(centre) or staff[centres[0]]
            author = people[(n + k) % len(people)]
            kind = KINDS[(n + k) % len(KINDS)]
            ago = rng.randrange(1, 60)
            at = now - timedelta(days=ago, hours=rng.randrange(8))
            follow_up = None
            if kind in (ActivityKind.call, ActivityKind.visit) and k == 0:
                # Due from three weeks ago (overdue) to three weeks ahead, never before the contact.
                follow_up = max(day - timedelta(days=ago), day + timedelta(days=rng.randrange(-21, 22)))
            lead_staff = staff.get(company.lead_centre_id) or [author]
            services.record_activity(
                session, company=company, kind=kind, author=author, at=at,
                summary=SUMMARIES[kind][n % len(SUMMARIES[kind])], follow_up=follow_up,
                assignee=author if author.job_centre_id == company.lead_centre_id else lead_staff[0],
                outcome="Interesseret" if kind == ActivityKind.visit else None, now=now)
