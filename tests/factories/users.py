from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from nrs.auth import services
from nrs.municipalities.models import JobCentre

_n = itertools.count(1)


@pytest.fixture
def centre_by_code(session):
    def get(code: int) -> JobCentre:
        return session.exec(select(JobCentre).where(JobCentre.municipality_code == code)).one()

    return get


@pytest.fixture
def make_user(session, centre_by_code):
    def make(role: str = "staff", centre: int = 201, *, email: str | None = None, name: str | None = None,
             password: str | None = None, weekly_email: bool = True, active: bool = True):
        from tests.conftest import PASSWORD

        n = next(_n)
        user = services.create_user(
            session, by=None, email=email or f"{role}{n}@c{centre}.test", name=name or f"{role.title()} {n}",
            job_centre_id=centre_by_code(centre).id, role=role, password=password or PASSWORD,
            weekly_email=weekly_email,
        )
        if not active:
            user.active = False
        session.commit()
        return user

    return make
