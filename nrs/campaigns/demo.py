"""Demo: this year's focus-sector campaign, built, with some targets already worked."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nrs.auth.models import Role, User
from nrs.campaigns import services
from nrs.campaigns.models import CampaignTarget, TargetStatus
from nrs.clock import today, utcnow
from nrs.sectors.models import FocusSector

NOTES = {
    TargetStatus.contacted: "Talt med indehaveren; ringer tilbage efter sommerferien.",
    TargetStatus.meeting_booked: "Virksomhedsbesøg aftalt med værkføreren.",
    TargetStatus.not_interested: "Har ikke behov for medarbejdere i år.",
    TargetStatus.agreement_signed: "Rekrutteringsaftale underskrevet.",
    TargetStatus.job_order_received: "To chauffører søges.",
}


def load(session, *, rng) -> None:
    year = today().year
    sectors = session.exec(select(FocusSector).where(FocusSector.year == year).order_by(FocusSector.id)).all()
    if not sectors:
        return
    focus = [s.id for s in sectors if s.name in ("Bygge og anlæg", "Transport")] or [s.id for s in sectors]
    campaign = services.create_campaign(
        session, by=None, name=f"Fokusbrancher {year}", year=year, sector_ids=focus,
        starts_on=today() - timedelta(days=30), ends_on=today() + timedelta(days=90),
    )
    services.build_campaign(session, campaign, now=utcnow())
    staff: dict[int, list[User]] = {}
    for user in session.exec(select(User).where(User.role == Role.staff)):
        staff.setdefault(user.job_centre_id, []).append(user)
    targets = session.exec(select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id)
                           .order_by(CampaignTarget.id)).all()
    worked = list(NOTES)
    for target in targets:
        people = staff.get(target.lead_centre_id)
        if not people or rng.random() > 0.4:
            continue
        status = rng.choice(worked)
        services.set_target_status(session, target, by=rng.choice(people), status=status,
                                   status_on=today() - timedelta(days=rng.randint(0, 25)), note=NOTES[status],
                                   version=target.version)
    session.flush()
