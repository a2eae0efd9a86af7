from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.sectors.models import FocusSector
from nrs.sectors.queries import matching_companies, sector_for_company, sectors_for_company
from tests.conftest import post_form


def _names(session, stmt):
    return sorted(c.name for c in session.exec(stmt))


# --- CLI ------------------------------------------------------------------------------------

def test_cli_set_creates_then_replaces_and_lists(cli_run, session):
    first = cli_run("sectors", "set", "--year", "2016", "--name", "Bygge og anlæg", "--codes", "41,42,43")
    assert first.exit_code == 0, first.output
    assert "oprettet" in first.output
    cli_run("sectors", "set", "--year", "2016", "--name", "Transport", "--codes", "49-53")
    cli_run("sectors", "set", "--year", "2017", "--name", "Transport", "--codes", "49,50")

    again = cli_run("sectors", "set", "--year", "2016", "--name", "Bygge og anlæg", "--codes", "41, 43")
    assert again.exit_code == 0 and "erstattet" in again.output
    rows = session.exec(select(FocusSector).where(FocusSector.year == 2016, FocusSector.name == "Bygge og anlæg")).all()
    assert [r.codes for r in rows] == ["41,43"]

    listed = cli_run("sectors", "list", "--year", "2016")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == ["2016\tBygge og anlæg\t41,43", "2016\tTransport\t49,50,51,52,53"]
    everything = cli_run("sectors", "list").output.splitlines()
    assert everything[0] == "2017\tTransport\t49,50"
    assert len(everything) == 3
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "focus_sector"))]
    assert actions.count("create") == 3 and actions.count("update") == 1


def test_cli_refuses_bad_prefixes_and_changes_nothing(cli_run, session):
    for codes in ("4", "1234567", "41,x2", "53-49", ""):
        result = cli_run("sectors", "set", "--year", "2016", "--name", "Transport", "--codes", codes)
        assert result.exit_code == 1, codes
        assert len(result.stderr.strip().splitlines()) == 1
    assert session.exec(select(FocusSector)).all() == []


def test_cli_keeps_leading_zeros_and_drops_covered_prefixes(cli_run):
    result = cli_run("sectors", "set", "--year", "2016", "--name", "Råstof", "--codes", "05,052000,06")
    assert result.exit_code == 0
    assert cli_run("sectors", "list").output.strip() == "2016\tRåstof\t05,06"


# --- matching -------------------------------------------------------------------------------

def test_prefix_is_matched_on_the_six_character_code(session, make_company, make_focus_sector):
    make_company(name="Brunkul", industry_code="052000")
    make_company(name="Vognmand", industry_code="494100")
    make_company(name="Rørtransport", industry_code="492000")
    make_company(name="Havn", industry_code="522200")
    make_company(name="Post", industry_code="531000")
    make_company(name="Bager", industry_code="107100")
    make_company(name="Lukket vognmand", industry_code="494100", active=False)
    transport = make_focus_sector(name="Transport", codes="49-53")

    assert _names(session, matching_companies(prefixes=transport.prefixes)) == [
        "Havn", "Post", "Rørtransport", "Vognmand"]
    assert _names(session, matching_companies(prefixes=["52"])) == ["Havn"]
    assert _names(session, matching_companies(prefixes=["05"])) == ["Brunkul"]
    assert _names(session, matching_companies(prefixes=["492000"])) == ["Rørtransport"]
    assert _names(session, matching_companies(prefixes=["99"])) == []
    assert "Lukket vognmand" in _names(session, matching_companies(prefixes=["49"], active_only=False))


def test_sector_for_company_uses_the_same_rule(session, make_company, make_focus_sector):
    mining = make_company(industry_code="052000")
    pipeline = make_company(industry_code="492000")
    transport = make_focus_sector(name="Transport", codes="49,50,51,52,53")
    make_focus_sector(name="Bygge og anlæg", codes="41,42,43")
    make_focus_sector(year=2017, name="Transport", codes="50")

    assert sector_for_company(session, mining.id, year=2016) is None
    assert sector_for_company(session, pipeline.id, year=2016).id == transport.id
    assert sectors_for_company(session, pipeline.id, year=2017) == []


# --- admin page -----------------------------------------------------------------------------

def test_everyone_reads_sectors_but_only_admin_changes_them(client, login_as, make_focus_sector, session):
    sector = make_focus_sector()
    login_as("staff")
    page = client.get("/sektorer/")
    assert page.status_code == 200
    assert "Bygge og anlæg" in page.get_data(as_text=True)
    assert "Ny fokusbranche" not in page.get_data(as_text=True)
    assert client.get("/sektorer/ny").status_code == 403
    assert client.get(f"/sektorer/{sector.id}/ret").status_code == 403
    assert post_form(client, f"/sektorer/{sector.id}/slet", {}, form_url="/").status_code == 403
    assert session.get(FocusSector, sector.id) is not None


def test_admin_sets_edits_and_deletes_a_sector(client, login_as, session):
    login_as("admin")
    created = post_form(client, "/sektorer/ny", {"year": "2016", "name": "Transport", "codes": "49-53"})
    assert created.status_code == 302
    sector = session.exec(select(FocusSector)).one()
    assert sector.codes == "49,50,51,52,53"

    replaced = post_form(client, "/sektorer/ny", {"year": "2016", "name": "Transport", "codes": "49,52"})
    assert replaced.status_code == 302
    session.expire_all()
    assert [s.codes for s in session.exec(select(FocusSector))] == ["49,52"]

    bad = post_form(client, f"/sektorer/{sector.id}/ret", {"year": "2016", "name": "Transport", "codes": "4x"})
    assert bad.status_code == 400
    assert "4x er ikke en branchekode" in bad.get_data(as_text=True)
    session.expire_all()
    assert session.get(FocusSector, sector.id).codes == "49,52"

    edited = post_form(client, f"/sektorer/{sector.id}/ret", {"year": "2017", "name": "Transport og logistik",
                                                             "codes": "49,50,52", "version": str(sector.version)})
    assert edited.status_code == 302
    session.expire_all()
    assert (sector.year, sector.name, sector.codes) == (2017, "Transport og logistik", "49,50,52")

    listing = client.get("/sektorer/?year=2017").get_data(as_text=True)
    assert "Transport og logistik" in listing
    deleted = post_form(client, f"/sektorer/{sector.id}/slet", {"confirm": "1"}, form_url="/sektorer/")
    assert deleted.status_code == 302
    assert session.exec(select(FocusSector)).all() == []


def test_sector_used_by_an_agreement_is_not_deleted(client, login_as, make_agreement, make_focus_sector, session):
    sector = make_focus_sector()
    make_agreement(focus_sector=sector)
    login_as("admin")
    response = post_form(client, f"/sektorer/{sector.id}/slet", {}, form_url="/sektorer/", follow_redirects=True)
    assert "bruges af en eller flere aftaler" in response.get_data(as_text=True)
    assert session.get(FocusSector, sector.id) is not None


def test_sectors_page_counts_matching_active_companies(client, login_as, make_company, make_focus_sector):
    make_focus_sector(name="Transport", codes="49-53")
    make_company(industry_code="494100")
    make_company(industry_code="052000")
    login_as("staff")
    html = client.get("/sektorer/?year=2016").get_data(as_text=True)
    assert '<td class="num" data-label="Aktive virksomheder">1</td>' in html


def test_prefix_matching_holds_under_a_danish_collation(backend, session, make_company):
    """Production PostgreSQL may sort text as Danish (ICU), where ``4:`` sorts before ``49``."""
    if backend != "postgresql":
        pytest.skip("collations are PostgreSQL's")
    if session.execute(sa.text("SELECT 1 FROM pg_collation WHERE collname = 'da-DK-x-icu'")).first() is None:
        pytest.skip("no ICU collations on this server")
    session.execute(sa.text('ALTER TABLE companies ALTER COLUMN industry_code TYPE varchar(6) COLLATE "da-DK-x-icu"'))
    make_company(name="Vognmand", industry_code="494100")
    make_company(name="Post", industry_code="531000")
    make_company(name="Brunkul", industry_code="052000")
    make_company(name="Bager", industry_code="107100")
    assert _names(session, matching_companies(prefixes=["49", "50", "51", "52", "53"])) == ["Post", "Vognmand"]
    assert _names(session, matching_companies(prefixes=["05"])) == ["Brunkul"]
    assert _names(session, matching_companies(prefixes=["10", "99"])) == ["Bager"]
