from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlmodel import select

from nrs.agreements.models import Agreement, AgreementKind
from nrs.audit.models import AuditEvent
from nrs.clock import format_date, today
from nrs.companies.models import Company
from tests.agreements.conftest import LIMIT
from tests.conftest import post_form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(company, sector=None, **overrides):
    data = {
        "cvr": company.cvr, "kind": "recruitment", "focus_sector_id": str(sector.id) if sector else "0",
        "signed_on": "15-01-2016", "valid_from": "01-02-2016", "valid_to": "31-01-2017",
        "coordinating_centre_id": "0", "contact_user_id": "0", "notes": "Aftalt på møde i januar.",
    }
    data.update(overrides)
    return data


def _agreements(session):
    session.expire_all()
    return session.exec(select(Agreement)).all()


def test_staff_creates_agreement_with_signed_pdf_and_colleagues_download_it(
        client, login_as, make_company, make_focus_sector, session, app):
    company = make_company(name="Nordvej Entreprise A/S", industry_code="412000")
    sector = make_focus_sector()
    user = login_as("staff", centre=201)
    response = post_form(client, "/aftaler/ny", {
        **_form(company, sector), "document": (io.BytesIO(PDF), "Rekrutteringsaftale Nordvej.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)

    agreement = _agreements(session)[0]
    assert agreement.coordinating_centre_id == company.lead_centre_id  # defaults to the lead centre
    assert agreement.document_name == "Rekrutteringsaftale Nordvej.pdf"
    assert (app.instance_path + "/aftaler/" + agreement.document_path).endswith(".pdf")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "agreement")).one()
    assert (event.user_id, event.action) == (user.id, "create")

    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nordvej Entreprise A/S" in detail and "31-01-2017" in detail

    post_form(client, "/log-ud", {}, form_url="/")
    login_as("staff", centre=270)
    download = client.get(f"/aftaler/{agreement.id}/dokument")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "Rekrutteringsaftale" in download.headers["Content-Disposition"]


def test_document_needs_login(client, make_agreement):
    agreement = make_agreement()
    response = client.get(f"/aftaler/{agreement.id}/dokument")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"valid_to": "31-12-2015"}, "Slutdatoen ligger før startdatoen."),
        ({"focus_sector_id": "0"}, "En rekrutteringsaftale hører til en fokusbranche"),
        ({"valid_from": ""}, "Angiv hvornår aftalen gælder fra."),
        ({"valid_from": "32-01-2016"}, "Datoen 32-01-2016 findes ikke i kalenderen."),
        ({"notes": "Kandidat 010190-1234 ansat"}, "CPR"),
        ({"cvr": "12345678"}, "kontrolciffer"),
        ({"signed_on": format_date(today() + timedelta(days=3))}, "underskrevet i fremtiden"),
    ],
)
def test_invalid_agreement_is_refused_next_to_the_field(client, login_as, make_company, make_focus_sector,
                                                        session, overrides, field_message):
    company = make_company()
    sector = make_focus_sector()
    login_as("staff")
    response = post_form(client, "/aftaler/ny", _form(company, sector, **overrides))
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert _agreements(session) == []


def test_non_pdf_and_too_large_files_are_refused(client, login_as, make_company, make_focus_sector, session, app):
    company = make_company()
    sector = make_focus_sector()
    login_as("staff")
    fake = post_form(client, "/aftaler/ny", {
        **_form(company, sector), "document": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "aftale.pdf"),
    }, content_type="multipart/form-data")
    assert fake.status_code == 400
    assert "Filen er ikke en PDF" in fake.get_data(as_text=True)

    big = PDF + b"0" * LIMIT
    large = post_form(client, "/aftaler/ny", {
        **_form(company, sector), "document": (io.BytesIO(big), "stor.pdf"),
    }, content_type="multipart/form-data")
    assert large.status_code == 400
    assert "Filen er for stor" in large.get_data(as_text=True)
    assert _agreements(session) == []
    import os
    folder = os.path.join(app.instance_path, "agreements")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_edit_changes_dates_and_replaces_document(client, login_as, make_agreement, session):
    agreement = make_agreement(valid_to=date(2016, 12, 31))
    login_as("staff", centre=201)
    page = client.get(f"/aftaler/{agreement.id}/ret")
    assert page.status_code == 200
    response = post_form(client, f"/aftaler/{agreement.id}/ret", {
        "kind": "recruitment", "focus_sector_id": str(agreement.focus_sector_id), "signed_on": "01-01-2016",
        "valid_from": "01-01-2016", "valid_to": "30-06-2017", "coordinating_centre_id": str(agreement.coordinating_centre_id),
        "contact_user_id": "0", "notes": "Forlænget", "version": "1",
        "document": (io.BytesIO(PDF), "forlaengelse.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = _agreements(session)[0]
    assert (saved.valid_to, saved.notes, saved.document_name, saved.version) == (
        date(2017, 6, 30), "Forlænget", "forlaengelse.pdf", 2)
    update = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert update.changes["valid_to"] == ["2016-12-31", "2017-06-30"]


def test_second_save_from_an_old_form_is_refused(client, login_as, make_agreement, session):
    agreement = make_agreement()
    login_as("staff", centre=201)
    data = {"kind": "recruitment", "focus_sector_id": str(agreement.focus_sector_id), "signed_on": "01-01-2016",
            "valid_from": "01-01-2016", "valid_to": "", "coordinating_centre_id": "0", "contact_user_id": "0",
            "version": "1"}
    first = post_form(client, f"/aftaler/{agreement.id}/ret", {**data, "notes": "første"})
    assert first.status_code == 302
    second = post_form(client, f"/aftaler/{agreement.id}/ret", {**data, "notes": "anden"})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "ændret i mellemtiden" in html
    assert "første" in html  # the current version is shown
    assert _agreements(session)[0].notes == "første"


def test_only_lead_or_coordinating_centre_and_admin_change_agreements(
        client, login_as, make_agreement, make_company, make_focus_sector, centre_by_code, session):
    company = make_company()  # lead: Allerød (201)
    sector = make_focus_sector()
    coordinated_elsewhere = make_agreement(company=company, kind=AgreementKind.jobservice,
                                           coordinating_centre_id=centre_by_code(219).id)
    target = coordinated_elsewhere.id

    login_as("staff", centre=270)
    assert client.get("/aftaler/").status_code == 200
    assert client.get(f"/aftaler/{coordinated_elsewhere.id}").status_code == 200
    assert client.get(f"/aftaler/{coordinated_elsewhere.id}/ret").status_code == 403
    refused = post_form(client, "/aftaler/ny", _form(company, sector))
    assert refused.status_code == 403
    # ... nor by naming itself the coordinating centre: only the lead centre names another one.
    own = post_form(client, "/aftaler/ny",
                    _form(company, sector, coordinating_centre_id=str(centre_by_code(270).id)))
    assert own.status_code == 403

    post_form(client, "/log-ud", {}, form_url="/")
    login_as("staff", centre=219)  # the coordinating centre
    assert client.get(f"/aftaler/{coordinated_elsewhere.id}/ret").status_code == 200
    assert post_form(client, f"/aftaler/{coordinated_elsewhere.id}/slet", {"confirm": "1"},
                     form_url="/").status_code == 403  # deleting is a coordinator's action

    post_form(client, "/log-ud", {}, form_url="/")
    login_as("coordinator", centre=217)
    assert post_form(client, f"/aftaler/{coordinated_elsewhere.id}/slet", {"confirm": "1"},
                     form_url="/").status_code == 403

    post_form(client, "/log-ud", {}, form_url="/")
    login_as("coordinator", centre=219)
    assert post_form(client, f"/aftaler/{coordinated_elsewhere.id}/slet", {"confirm": "1"},
                     form_url="/").status_code == 302
    assert target not in {a.id for a in _agreements(session)}
    deleted = session.exec(select(AuditEvent).where(AuditEvent.action == "delete",
                                                    AuditEvent.entity_type == "agreement")).one()
    assert deleted.entity_id == str(target)


def test_admin_changes_any_agreement(client, login_as, make_agreement, centre_by_code):
    agreement = make_agreement(coordinating_centre_id=centre_by_code(250).id)
    login_as("admin", centre=219)
    assert client.get(f"/aftaler/{agreement.id}/ret").status_code == 200


def test_company_list_and_filters(client, login_as, make_company, make_agreement, make_focus_sector, centre_by_code):
    transport = make_focus_sector(name="Transport", codes="49-53")
    haulier = make_company(name="Vognmand Hansen ApS", industry_code="494100")
    builder = make_company(name="Tømrer Jensen ApS", industry_code="433200", municipality_code=219)
    make_agreement(company=haulier, focus_sector=transport)
    make_agreement(company=builder)
    make_agreement(company=builder, kind=AgreementKind.cooperation, signed_on=None)
    login_as("staff")

    per_company = client.get(f"/aftaler/virksomhed/{builder.id}").get_data(as_text=True)
    assert per_company.count("aftaler/") >= 2 and "Vognmand" not in per_company
    assert "ikke underskrevet" in per_company

    by_sector = client.get(f"/aftaler/?sector={transport.id}").get_data(as_text=True)
    assert "Vognmand Hansen" in by_sector and "Tømrer Jensen" not in by_sector.split('data-testid="agreements"')[1].split("</table>")[0]
    by_centre = client.get(f"/aftaler/?centre={centre_by_code(219).id}&status=active").get_data(as_text=True)
    table = by_centre.split('data-testid="agreements"')[1].split("</table>")[0]
    assert "Tømrer Jensen" in table and "Vognmand" not in table and table.count("<tr>") == 2  # head + one row
    by_text = client.get("/aftaler/?q=vognmand").get_data(as_text=True)
    assert "Vognmand Hansen" in by_text.split('data-testid="agreements"')[1]


def test_agreement_with_job_orders_is_kept(client, login_as, make_agreement, make_job_order, session):
    agreement = make_agreement()
    company_id, agreement_id = agreement.company_id, agreement.id
    make_job_order(company=session.get(Company, company_id), agreement_id=agreement_id)
    login_as("coordinator", centre=201)
    response = post_form(client, f"/aftaler/{agreement_id}/slet", {"confirm": "1"}, form_url="/", follow_redirects=True)
    assert "knyttet til jobordrer" in response.get_data(as_text=True)
    assert [a.id for a in _agreements(session)] == [agreement_id]
