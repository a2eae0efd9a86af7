"""No CPR number, however it is written, and no control character is stored in free text.

The CPR check (``nrs.cpr``) is tested with generated spellings; the one rule (``nrs.storedtext``)
through the forms a user fills in, the flush every service goes through, and the exports.
"""

from __future__ import annotations

import io
import string
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlmodel import select

from nrs.companies.models import Company, Contact
from nrs.cpr import contains_cpr
from nrs.storedtext import StoredTextError
from tests.conftest import post_form

CPR_MESSAGE = "Feltet må ikke indeholde et CPR-nummer"
CONTROL_MESSAGE = "ugyldigt styretegn"

# --- the CPR check, by generated spellings ------------------------------------------------------

SEPARATORS = [" ", "  ", "-", "–", "—", "‐", "−", ".", "/", " - ", ". ", "\u00a0", "\t", "\u3000"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff"]
FULL_WIDTH = str.maketrans(string.digits, "０１２３４５６７８９")


@st.composite
def cpr_numbers(draw) -> str:
    """Ten digits whose first six are a real day, month and two-digit year."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2036, 12, 31)))
    serial = draw(st.integers(min_value=0, max_value=9999))
    return f"{born:%d%m%y}{serial:04d}"


@st.composite
def spellings(draw) -> str:
    """A CPR number as people write or paste it: grouped anyhow within the date and the serial,
    with any separators and invisible characters, some digits full-width, inside other text."""
    digits = draw(cpr_numbers())
    separator = st.sampled_from(SEPARATORS)
    # Within the date and the serial any gap may have a separator; between them there is one
    # whenever the number is grouped at all (nobody writes 0101 901234).
    gaps = [draw(st.one_of(st.just(""), separator)) if i != 6 else "" for i in range(10)]
    if any(gaps):
        gaps[6] = draw(separator)
    out = ""
    for i, digit in enumerate(digits):
        out += gaps[i]
        if draw(st.booleans()) and draw(st.booleans()):
            out += draw(st.sampled_from(INVISIBLE))
        out += digit.translate(FULL_WIDTH) if draw(st.booleans()) and draw(st.booleans()) else digit
    words = st.text(alphabet=string.ascii_letters + "æøåÆØÅ :;,()", max_size=15)
    before, after = draw(words), draw(words)
    # A word right next to the number must not be a digit or a separator that joins more digits.
    return f"{before} {out} {after}" if draw(st.booleans()) else f"{before}{out}{after}".strip() or out


@settings(max_examples=400, deadline=None)
@given(spellings())
def test_every_spelling_of_a_cpr_number_is_recognised(text):
    assert contains_cpr(text), repr(text)


@st.composite
def ordinary_values(draw) -> str:
    """What free text in NRS holds that looks numeric: phones, CVR, dates, postal codes, orders."""
    day = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))
    later = day + timedelta(days=draw(st.integers(1, 800)))
    phone = "".join(str(draw(st.integers(0, 9))) for _ in range(8))
    return draw(st.sampled_from([
        phone,
        f"+45 {phone[:2]} {phone[2:4]} {phone[4:6]} {phone[6:]}",
        f"Tlf. {phone[:4]} {phone[4:]}",
        f"CVR {draw(st.integers(10000000, 99999999))}",
        f"{day:%d-%m-%Y}", f"{day:%d.%m.%Y}", f"{day:%Y-%m-%d}", f"{day:%d/%m/%y}",
        f"{day:%d.%m.%Y}-{later:%d.%m.%Y}", f"{day:%d.%m.%y}-{later:%d.%m.%y}",
        f"Stationsvej {draw(st.integers(1, 300))}, {draw(st.integers(1000, 9990))} Allerød",
        f"Ordre {draw(st.integers(1, 10**6))}", f"JO-{day:%Y}-{draw(st.integers(1, 999999)):06d}",
        f"{draw(st.integers(1, 9999)):04d}-{draw(st.integers(0, 999999)):06d}",
    ]))


@settings(max_examples=400, deadline=None)
@given(ordinary_values())
def test_ordinary_numbers_are_not_taken_for_cpr_numbers(text):
    assert not contains_cpr(text), repr(text)


@pytest.mark.parametrize("text", ["010190-1234", "01 01 90 1234", "01.01.90-1234", "010190–1234", "010190  1234",
                                  "0101\u200b90-1234", "０１０１９０１２３４", "Ring 12 34 56 78 eller 010190-1234"])
def test_the_reported_spellings_are_recognised(text):
    assert contains_cpr(text)


# --- every form field -----------------------------------------------------------------------------

COMPANY = {"name": "Ny Virksomhed ApS", "municipality_code": "0219", "industry_code": "412000", "employees": "5-9",
           "active": "y"}


@pytest.mark.parametrize("field", ["address", "city", "phone", "name"])
@pytest.mark.parametrize("value", ["010190-1234", "01 01 90 1234", "0101\u200b90–1234"])
def test_company_form_refuses_a_cpr_number_in_any_text_field(client, login_as, session, field, value):
    login_as("staff", centre=219)
    response = post_form(client, "/virksomheder/ny", {**COMPANY, "cvr": "81167192", field: value})
    assert response.status_code == 400
    assert CPR_MESSAGE in response.get_data(as_text=True)
    assert session.exec(select(Company)).first() is None


@pytest.mark.parametrize("value", ["Firma\x01 ApS", "Firma\x00", "To\nlinjer"])
def test_company_form_refuses_control_characters(client, login_as, session, value):
    login_as("staff", centre=219)
    response = post_form(client, "/virksomheder/ny", {**COMPANY, "cvr": "81167192", "name": value})
    assert response.status_code == 400
    # NUL is refused for the whole request before any form is read (nrs.inputs); the rest at the field.
    message = "Teksten indeholder et tegn, der ikke kan gemmes (NUL)." if "\x00" in value else CONTROL_MESSAGE
    assert message in response.get_data(as_text=True)
    assert session.exec(select(Company)).first() is None


def test_contact_phone_campaign_sector_and_user_names_are_checked(client, login_as, make_company, session):
    login_as("admin")
    company = make_company()
    cases = [
        (f"/virksomheder/{company.id}/kontakter/ny", {"name": "Ole", "phone": "01.01.90-1234"}, None),
        ("/kampagner/ny", {"name": "Kampagne 010190 1234", "year": "2016"}, None),
        ("/sektorer/ny", {"name": "Byg 01 01 90 1234", "year": "2016", "codes": "412000"}, None),
        ("/admin/brugere/ny", {"name": "Ole 010190-1234", "email": "ole@c201.test", "centre": "1", "role": "staff",
                              "password": "en lang adgangskode 42"}, None),
    ]
    for url, data, form_url in cases:
        response = post_form(client, url, data, form_url=form_url)
        assert response.status_code == 400, url
        assert CPR_MESSAGE in response.get_data(as_text=True), url
    assert session.exec(select(Contact)).first() is None


def test_erase_reason_is_checked(client, login_as, session, make_company):
    from nrs.companies import services as companies

    login_as("coordinator", centre=201)
    company = make_company()
    contact = companies.add_contact(session, company, by=None, values={"name": "Mette", "role": "", "phone": "",
                                                                      "email": ""})
    session.commit()
    response = post_form(client, f"/persondata/kontakter/{contact.id}/slet", {"reason": "Anmodet af 010190 1234"},
                         form_url=f"/persondata/kontakter/{contact.id}")
    assert response.status_code == 400 and CPR_MESSAGE in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Contact, contact.id) is not None


# --- the flush: every service and import ---------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [("address", "01 01 90 1234"), ("phone", "010190–1234"),
                                              ("city", "By\x01"), ("name", "０１０１９０１２３４")])
def test_no_service_can_store_it(session, make_company, field, value):
    company = make_company()
    setattr(company, field, value)
    with pytest.raises(StoredTextError) as refused:
        session.flush()
    assert refused.value.field == field and refused.value.column == f"companies.{field}"
    session.rollback()
    session.expire_all()
    assert getattr(session.get(Company, company.id), field) != value


def test_exempt_columns_and_multi_line_text_are_stored(session, make_company):
    company = make_company(email="0101901234@firma.test")
    company.lead_override_reason = "Første linje\nAnden linje\tmed tabulator"
    session.flush()
    session.commit()
    session.expire_all()
    assert session.get(Company, company.id).email == "0101901234@firma.test"


# --- exports never fail on stored text -------------------------------------------------------------

def test_stored_control_characters_do_not_break_the_exports(client, login_as, session, make_company, engine):
    """Rows stored before the rule (here written around it) still export, with the character replaced."""
    import sqlalchemy as sa

    from nrs.joborders import services as orders

    user = login_as("staff")
    company = make_company(name="Firma ApS")
    order = orders.log_job_order(session, by=user, company=company, title="Tømrer", positions=1,
                                 received_on=date(2016, 3, 1), lead_centre_id=company.lead_centre_id)
    session.commit()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE companies SET name = :n"), {"n": "Firma\x01 ApS"})
        conn.execute(sa.text("UPDATE job_orders SET title = :t WHERE id = :i"), {"t": "Tøm\x02rer\x1f", "i": order.id})
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/jobordrer/?format={fmt}&state=all")
        assert response.status_code == 200, fmt
        body = response.data
        if fmt == "csv":
            text = body.decode("utf-8")
            assert "Tøm\ufffdrer\ufffd" in text and "\x02" not in text
        else:
            cells = [c.value for row in load_workbook(io.BytesIO(body)).active.iter_rows() for c in row]
            assert "Tøm\ufffdrer\ufffd" in cells


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_text_goes_into_a_workbook(text):
    from nrs.exports.spreadsheet import to_csv, to_xlsx

    load_workbook(io.BytesIO(to_xlsx(["Navn"], [[text]])))
    to_csv(["Navn"], [[text]]).decode("utf-8")
