"""Reference data is read once per process and never shown stale after a change in this process."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs import refcache
from nrs.db import make_engine
from nrs.municipalities.models import JobCentre


def _front_page(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_a_renamed_centre_shows_under_its_new_name_on_the_next_page(client, login_as, session):
    login_as("staff", centre=201)
    centre = session.exec(select(JobCentre).where(JobCentre.municipality_code == 201)).one()
    before = _front_page(client)
    assert centre.name in before
    centre.name = "Jobcenter Nyt Navn"
    session.add(centre)
    session.commit()
    assert "Jobcenter Nyt Navn" in _front_page(client)


def test_a_change_rolled_back_is_not_kept(database_url):
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            old = refcache.centre_names(s)
            centre = s.exec(select(JobCentre)).first()
            centre.name = "Rullet Tilbage"
            s.flush()
            assert refcache.centre_names(s)[centre.id] == "Rullet Tilbage"  # its own transaction sees it
            s.rollback()
        with Session(engine) as s:
            assert refcache.centre_names(s) == old
    finally:
        engine.dispose()


def test_a_change_made_elsewhere_shows_after_the_ttl(database_url, monkeypatch):
    """Another process (raw SQL here) is seen once the entry is older than refcache.TTL."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            centre_id = refcache.centres(s)[0].id
        with engine.begin() as c:
            c.execute(sa.text("UPDATE job_centres SET name = 'Ændret Andetsteds' WHERE id = :i"), {"i": centre_id})
        with Session(engine) as s:
            assert refcache.centre_names(s)[centre_id] != "Ændret Andetsteds"  # still within the TTL
            monkeypatch.setattr(refcache, "TTL", 0.0)
            assert refcache.centre_names(s)[centre_id] == "Ændret Andetsteds"
    finally:
        engine.dispose()


def test_a_new_or_deactivated_user_changes_the_centres_staff_count_on_the_next_page(client, login_as, make_user,
                                                                                   session):
    import re

    def staff_of_helsingor() -> int:
        row = re.search(r"<tr><td>[^<]*</td><td>217</td><td class=\"num\">(\d+)</td></tr>", _front_page(client))
        return int(row.group(1))

    login_as("staff", centre=201)
    before = staff_of_helsingor()
    colleague = make_user("staff", 217)
    assert staff_of_helsingor() == before + 1
    colleague.active = False
    session.add(colleague)
    session.commit()
    assert staff_of_helsingor() == before
