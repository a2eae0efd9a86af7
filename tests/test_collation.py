"""Names sort in Danish order on both databases and in Python: Æ, Ø, Å after Z, "Aa" as "Å",
case and accents second (issue 18 item 4)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from nrs.auth.models import User
from nrs.collation import danish, sort_danish
from nrs.companies import queries
from nrs.companies.models import Company

NAMES = ["Åby", "Zealand", "Øster", "Aabenraa", "Andersen", "Æble"]
DANISH = ["Andersen", "Zealand", "Æble", "Øster", "Aabenraa", "Åby"]


def test_python_sorts_danish():
    assert sort_danish(NAMES) == DANISH
    # Case and accents only break ties; "aa" inside a name is "å" too.
    assert sort_danish(["Éva", "eva", "Eva", "Emma"]) == ["Emma", "eva", "Eva", "Éva"]
    assert sort_danish(["Kraaer", "Krag", "Kræ", "Kroner"]) == ["Krag", "Kroner", "Kræ", "Kraaer"]


def test_the_database_sorts_danish(session, make_company, make_user):
    for name in NAMES:
        make_company(name=f"{name} ApS")
        make_user(name=name)
    companies = session.execute(sa.select(Company.name).order_by(danish(Company.name))).scalars().all()
    assert companies == [f"{n} ApS" for n in DANISH]
    users = session.execute(sa.select(User.name).where(User.name.in_(NAMES)).order_by(danish(User.name))).scalars()
    assert list(users) == DANISH
    # Backwards too (the list's "↓").
    desc = session.execute(sa.select(Company.name).order_by(danish(Company.name).desc())).scalars().all()
    assert desc == [f"{n} ApS" for n in reversed(DANISH)]
    # The Python order and the database's agree beyond the six.
    more = ["Kraaer", "Krag", "Kræ", "Kroner", "Ærø Kro", "Ørsted", "Østergaard", "Oslo", "Aalborg", "Ålborg 2"]
    for name in more:
        make_company(name=name)
    stored = session.execute(sa.select(Company.name).order_by(danish(Company.name))).scalars().all()
    assert stored == sort_danish(stored)


def test_the_company_list_sorts_danish(client, login_as, make_company):
    login_as("staff")
    for name in NAMES:
        make_company(name=f"{name} ApS")
    for query, order in (("", DANISH), ("?sort=name&desc=1", list(reversed(DANISH)))):
        html = client.get(f"/virksomheder/{query}").get_data(as_text=True)
        shown = [n for n in re.findall(r">([^<>]+) ApS</a>", html) if n in NAMES]
        assert shown == order, query


def test_search_by_name_keeps_the_danish_list_order(session, make_company):
    for name in NAMES:
        make_company(name=f"{name} Bageri")
    criteria = queries.Criteria(q="bageri", sort="name")
    names = [c.name for c in session.exec(queries.search(criteria, session))]
    assert names == [f"{n} Bageri" for n in DANISH]
