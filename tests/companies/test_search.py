"""The company search answers from an index (pg_trgm on PostgreSQL, FTS5 trigram on SQLite).

Its exact matches are what the plain rule finds: every folded word of the query is a substring of
the folded name, active companies only. A common term lists them by folded name then id, 50 to a
page, whichever way the database finds them; a rarer one adds near matches (typos) and ranks all,
closest first (the tests further down)."""

from __future__ import annotations

import random
from unittest import mock

import pytest
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from nrs.companies import queries, services
from nrs.companies.fields import fold
from nrs.companies.importer import run_import
from nrs.companies.models import Company

NAMES = (
    "Ølstykke Entreprise I/S", "Oelstykke Tømrer ApS", "Hørsholm Ålekro ApS", "Aalekroen Hørsholm",
    "Kronborg Byggeri A/S", "Nordbyg Hillerød 12 ApS", "NORDBYG HILLERØD 120 A/S", "Nord-Byg Hillerød",
    "Æbelø Bageri", "Café Ærø", "Sø & Skov VVS", "Bæk og Å Transport", "AB Data", "Ab", "A", "Åb",
    "Byg 7 ApS", "7-Eleven Hillerød", "Frederikssund Kro & Hotel", "Gribskov El-Service",
)
QUERIES = (
    "olstykke", "ØLSTYKKE", "oelstykke", "aalekro", "ålekro", "å", "aa", "a", "ab", "ø", "7", "12",
    "nordbyg hiller", "nordbyg  hillerød", "nord byg", "byg", "kro & hotel", "kro hotel", "el-service",
    "æbelø", "aebelo", "cafe aero", "hillerød 12", "xyz", "s", "sø skov", "12 aps",
)


def expected(session, q: str, *, status: str = "active") -> list[int]:
    """The plain rule, computed in Python from the stored folded names."""
    words = fold(q).split()
    rows = session.exec(select(Company)).all()
    hits = [c for c in rows if all(w in c.name_search for w in words)
            or q.isdigit() and len(q) <= 8 and c.cvr.startswith(q)]
    if status == "active":
        hits = [c for c in hits if c.active]
    return [c.id for c in sorted(hits, key=lambda c: (c.name_search, c.id))]


def _pages(session, criteria, per_page: int) -> tuple[list[int], int]:
    ids, page_number = [], 1
    while True:
        page = queries.page_of(session, queries.search(criteria, session), page=page_number, per_page=per_page)
        ids += [c.id for c in page.items]
        if not page.has_next:
            return ids, page.counted
        page_number += 1


def found(session, q: str, *, per_page: int = 50, **args) -> tuple[list[int], int]:
    """Every page of the exact search, as the list page asks for a common term, and the count it
    shows; the same whichever way the database is told to find the names (through the index, or
    in name order)."""
    criteria = queries.Criteria.from_args(MultiDict({"q": q, **args}))
    with mock.patch.object(queries, "RANK_LIMIT", -1), mock.patch.object(queries, "NEAR_BELOW", 0):
        result = _pages(session, criteria, per_page)
        # The ids read once (above), else few matches through the index, or many (the name index walked).
        for count in (0, 10**9):
            with mock.patch.object(queries, "exact_match_ids", lambda *_a: None), \
                    mock.patch.object(queries, "exact_matches", lambda *_a, count=count: count):
                assert _pages(session, criteria, per_page) == result, (q, count)
    return result


def ranked(session, q: str, **args) -> list[str]:
    """The names the list page shows for a search, in its order (exact and near matches, ranked)."""
    criteria = queries.Criteria.from_args(MultiDict({"q": q, **args}))
    return [c.name for c in queries.page_of(session, queries.search(criteria, session), page=1).items]


@pytest.fixture
def named(make_company):
    def make(names=NAMES, **kwargs):
        return [make_company(name=name, **kwargs) for name in names]
    return make


def test_same_rows_in_the_same_order_as_the_plain_rule(session, named, make_company):
    named()
    make_company(name="Ølstykke Lukket ApS", active=False)
    for q in QUERIES:
        want = expected(session, q)
        assert found(session, q) == (want, len(want)), q
    # Ceased companies too, and small pages: the order holds across page boundaries.
    for q in ("olstykke", "byg", "a", "nordbyg hiller"):
        want = expected(session, q, status="all")
        assert found(session, q, per_page=2, status="all") == (want, len(want)), q


def test_random_names_and_substrings(session, named):
    rng = random.Random(8)
    words = ("Nord", "Syd", "Øster", "Å", "Ålborg", "Byg", "Bygge", "VVS", "Kro", "Sø", "Hillerød", "Aa",
             "Tømrer", "Ærø", "Oe", "12", "3", "A/S", "ApS", "I/S")
    names = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(60)]
    named(names)
    stored = [fold(n) for n in names]
    cuts = set()
    for text in rng.sample(stored, 30):
        start = rng.randrange(len(text))
        cuts.add(text[start:start + rng.randint(1, 9)].strip())
    for q in sorted(cuts - {""}):
        want = expected(session, q)
        assert found(session, q, per_page=7) == (want, len(want)), q


def test_several_words_in_any_order(session, named):
    hit, other, also, _none = named(("Nordbyg Hillerød ApS", "Hillerød Nordbyg ApS", "Nordbyg  Hillerødvej",
                                     "Nordbyg Gilleleje"))
    assert found(session, "nordbyg hiller")[0] == [other.id, hit.id, also.id]  # by folded name
    # Ranked: the name that reads as typed first, then the one with the words the other way round.
    assert ranked(session, "nordbyg hillerød aps") == ["Nordbyg Hillerød ApS", "Hillerød Nordbyg ApS"]


def test_a_cvr_number_typed_in_the_name_box(session, make_company):
    company = make_company(name="Intet Tal ApS")
    make_company(name="Firma 1234 ApS")
    assert company.id in found(session, company.cvr[:5])[0]
    assert found(session, company.cvr[:5]) == (expected(session, company.cvr[:5]),
                                              len(expected(session, company.cvr[:5])))


def test_edits_imports_and_deletes_keep_the_index_in_step(session, make_company):
    company = make_company(name="Kronborg Byggeri A/S")
    assert found(session, "kronborg byg")[0] == [company.id]
    services.update_company(session, company, by=None, values={"name": "Esrum Tømrer ApS"}, version=company.version)
    session.commit()
    assert found(session, "kronborg")[0] == []
    assert found(session, "esrum tomrer")[0] == [company.id]

    # An import renames it and adds one; a second import of the same file changes nothing.
    csv = ("CVR-nummer;Navn;Kommunekode;Branchekode\r\n"
           f"{company.cvr};Arresø Vognmand ApS;201;412000\r\n"
           "81167192;Gilleleje Fiskeeksport A/S;270;412000\r\n").encode()
    for _ in range(2):
        report = run_import(session, csv, filename="rename.csv")
        session.commit()
        assert report.written
    assert found(session, "esrum")[0] == []
    assert found(session, "arreso vognmand")[0] == [company.id]
    new = session.exec(select(Company).where(Company.cvr == "81167192")).one()
    assert found(session, "fiskeeksport")[0] == [new.id]

    # A rename that only changes case or accents keeps it findable by the folded name.
    services.update_company(session, company, by=None, values={"name": "ARRESØ VOGNMAND APS"}, version=company.version)
    session.commit()
    assert found(session, "arresø vogn")[0] == [company.id]

    session.delete(new)
    session.commit()
    assert found(session, "fiskeeksport")[0] == []
    assert found(session, "gilleleje")[0] == []


def test_the_list_page_shows_the_matches(client, login_as, named):
    login_as("staff")
    named()
    html = client.get("/virksomheder/?q=nordbyg+hiller").get_data(as_text=True)
    assert "Nordbyg Hillerød 12 ApS" in html and "NORDBYG HILLERØD 120 A/S" in html
    # A near match too ("Nord-Byg" for "nordbyg"), after the exact ones.
    assert html.index("NORDBYG HILLERØD 120") < html.index("Nord-Byg Hillerød") and "3 virksomheder" in html


# --- search that forgives (issue 18 item 4) ---------------------------------------------------

BAKERIES = ("Allerød Bageri", "Allerød Bageri og Café ApS", "Bageriet i Allerød", "Allerød Bogtrykkeri",
            "Hillerød Bageri", "Ølstykke Bageri A/S", "Alléens Bygge ApS")


def test_a_typo_or_two_finds_the_name(session, named):
    named(BAKERIES)
    for typed in ("Alerød Bageri", "Allerød Bagery", "Alerød Bagery", "allerod bageri", "ALLERØD  BAGERI"):
        assert ranked(session, typed)[0] == "Allerød Bageri", typed
    # Not every name with a word in common: "Hillerød Bageri" is no typo of "Allerød".
    assert "Hillerød Bageri" not in ranked(session, "Alerød Bageri")
    assert "Allerød Bogtrykkeri" not in ranked(session, "Allerød Bagery")


def test_any_word_order(session, named):
    named(BAKERIES)
    assert ranked(session, "bageri allerød")[0] == "Allerød Bageri"
    assert set(ranked(session, "bageri allerød")[1:]) == {"Allerød Bageri og Café ApS", "Bageriet i Allerød"}
    assert ranked(session, "bagery alerød")[0] == "Allerød Bageri"


def test_closest_first(session, named):
    named(BAKERIES)
    # Exact name, then names starting with it, containing its words, then near matches.
    assert ranked(session, "allerød bageri") == ["Allerød Bageri", "Allerød Bageri og Café ApS",
                                                 "Bageriet i Allerød"]
    # Near matches by how like the query they are: the shorter name is closer.
    assert ranked(session, "alerød bagery") == ["Allerød Bageri", "Allerød Bageri og Café ApS"]


def test_accents_fold_as_before(session, named):
    named(BAKERIES)
    assert ranked(session, "olstykke") == ["Ølstykke Bageri A/S"]
    assert ranked(session, "oelstykke bageri") == ["Ølstykke Bageri A/S"]
    assert ranked(session, "ølstyke") == ["Ølstykke Bageri A/S"]  # and a typo on top


def test_cvr_and_no_match(session, named, make_company):
    named(BAKERIES)
    company = make_company(name="Intet Tal ApS")
    assert ranked(session, company.cvr) == ["Intet Tal ApS"]
    assert "Intet Tal ApS" in ranked(session, company.cvr[:4])
    assert ranked(session, "zxqvw kjyp") == []
    assert ranked(session, "brødfabrik") == []


def test_short_words_must_be_typed_right(session, named):
    named(("Esrum Kro", "Esrum Kor og Sang", "Esrum Tømrer"))
    assert ranked(session, "esrum kro") == ["Esrum Kro"]


def test_find_companies_for_the_pickers(session, named, make_company):
    named(BAKERIES)
    make_company(name="Allerød Bageri Lukket", active=False)
    names = [c.name for c in queries.find_companies(session, "Alerød Bagery", limit=1)]
    assert names == ["Allerød Bageri"]
    every = [c.name for c in queries.find_companies(session, "allerød bageri", active_only=False)]
    assert "Allerød Bageri Lukket" in every
    assert queries.find_companies(session, "  ") == []


def test_near_matches_keep_the_other_filters(session, named, make_company):
    named(BAKERIES)
    make_company(name="Allerød Bageri Lukket", active=False)
    make_company(name="Allerød Bageri Nord", municipality_code=219)
    assert "Allerød Bageri Lukket" not in ranked(session, "allerød bageri")
    assert "Allerød Bageri Lukket" not in ranked(session, "alerød bagery")
    assert ranked(session, "alerød bagery", municipality="219") == ["Allerød Bageri Nord"]
    assert "Allerød Bageri Lukket" in ranked(session, "alerød bagery", status="all")


def test_a_ranked_search_pages_and_counts_from_one_reading(session, named):
    """The list page reads a ranked search once (``search_page``): the same rows, order and count as
    counting it and reading each page, with the near matches after the exact ones."""
    named(BAKERIES)
    named(("Allerød Bageri Nord", "Alerød Bagerie Syd"))
    for typed in ("allerød bageri", "alerød bagery", "bageri"):
        criteria = queries.Criteria(q=typed)
        pages = [queries.search_page(session, criteria, page=n, per_page=2) for n in range(1, 7)]
        plain = [queries.page_of(session, queries.search(criteria, session), page=n, per_page=2) for n in range(1, 7)]
        assert [[c.id for c in p.items] for p in pages] == [[c.id for c in p.items] for p in plain], typed
        assert {p.counted for p in pages} == {plain[0].counted} and plain[0].counted >= 3, typed
        assert pages[0].has_next and not pages[-1].items
