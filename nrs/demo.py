"""A realistic demo data set: staff at every centre, then each domain's own demo data."""

from __future__ import annotations

import random
import secrets

from sqlmodel import Session, select

from nrs.activities import demo as activities_demo
from nrs.agreements import demo as agreements_demo
from nrs.auth import services as auth_services
from nrs.auth.models import Role
from nrs.campaigns import demo as campaigns_demo
from nrs.companies import demo as companies_demo
from nrs.demo_names import FIRST, LAST
from nrs.enquiries import demo as enquiries_demo
from nrs.joborders import demo as joborders_demo
from nrs.municipalities.models import JobCentre
from nrs.notifications import demo as notifications_demo
from nrs.sectors import demo as sectors_demo

#: Each domain's ``load(session, *, rng)``, in dependency order.
LOADERS = (companies_demo.load, sectors_demo.load, agreements_demo.load, joborders_demo.load,
           campaigns_demo.load, activities_demo.load, notifications_demo.load, enquiries_demo.load)

ADMIN_EMAIL = "admin@nrs.demo"


def slug(text: str) -> str:
    return (text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace(" ", "."))


def load_demo(session: Session, *, seed: int = 2016) -> tuple[str, str]:
    """Load the demo data and return the admin's (e-mail, password)."""
    rng = random.Random(seed)
    password = secrets.token_urlsafe(12)
    centres = session.exec(select(JobCentre).order_by(JobCentre.municipality_code)).all()
    admin_centre = next(c for c in centres if c.municipality_code == 219)  # Hillerød hosts the secretariat
    auth_services.create_user(session, by=None, email=ADMIN_EMAIL, name="Styregruppen (demo)",
                              job_centre_id=admin_centre.id, role=Role.admin, password=password)
    for centre in centres:
        town = slug(centre.name.removeprefix("Jobcenter "))
        for i, role in enumerate([Role.coordinator, Role.staff, Role.staff, Role.staff]):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            email = f"{'koordinator' if role == Role.coordinator else f'konsulent{i}'}@{town}.nrs.demo"
            auth_services.create_user(session, by=None, email=email, name=name, job_centre_id=centre.id,
                                      role=role, password=password, weekly_email=True)
    for load in LOADERS:
        load(session, rng=rng)
    session.flush()
    return ADMIN_EMAIL, password
