"""Bad input is the sender's mistake: a 4xx with a message, never a 500.

Each case is one the security review found answering 500 (issue 13, item 7); each stands for its
class: any id in a form that points at nothing, any whole number too large for the database, NUL
in any text, a form body the parser cannot read, an import nested too deep for the JSON reader.
"""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from nrs.clock import today
from tests.conftest import csrf_token, post_form

HUGE = ("9223372036854775808", "2147483648", "-9223372036854775809", "9" * 40)


def _order_form(company, **changes) -> dict:
    data = {"cvr": company.cvr, "title": "Tømrer", "positions": "1", "received_on": today().strftime("%d-%m-%Y"),
            "channel": "shared_phone", "lead_centre_id": "", "contact_user_id": "", "agreement_id": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("field", ["agreement_id", "contact_user_id"])
def test_an_id_that_points_at_nothing_is_a_field_error(client, login_as, make_company, session, field):
    login_as("staff")
    company = make_company()
    for value in ("999999", HUGE[0]):
        r = post_form(client, "/jobordrer/ny", _order_form(company, **{field: value}))
        assert r.status_code == 400, (value, r.status_code)
        assert f'id="{field}"' in r.get_data(as_text=True)
    assert "findes ikke" in post_form(client, "/jobordrer/ny", _order_form(company, **{field: "999999"})).get_data(
        as_text=True)
    assert session.execute(sa.text("SELECT count(*) FROM job_orders")).scalar_one() == 0


@pytest.mark.parametrize("positions", ["1e20", "1" + "0" * 20, "2147483648", "-5", "1.5"])
def test_positions_beyond_what_is_sensible_is_a_field_error(client, login_as, make_company, positions):
    login_as("staff")
    r = post_form(client, "/jobordrer/ny", _order_form(make_company(), positions=positions))
    assert r.status_code == 400
    assert 'name="positions"' in r.get_data(as_text=True)


def test_a_hire_from_a_referral_that_does_not_exist_is_refused(client, login_as, make_job_order, centre_by_code,
                                                             session):
    login_as("staff")
    order = make_job_order()
    url = f"/jobordrer/{order.id}"
    for ref in ("999999", HUGE[0]):
        fill = {"fill-version": str(order.version), "fill-on_date": today().strftime("%d-%m-%Y"),
                "fill-hires-0-centre_id": str(centre_by_code(201).id), "fill-hires-0-referral_id": ref}
        r = post_form(client, f"{url}/besat", fill, form_url=url)
        assert r.status_code == 400, (ref, r.status_code)
    assert session.execute(sa.text("SELECT count(*) FROM hires")).scalar_one() == 0


@pytest.mark.parametrize("url", [
    "/virksomheder/?page={n}", "/virksomheder/?municipality={n}", "/virksomheder/?min_employees={n}",
    "/aftaler/?centre={n}", "/aftaler/?company={n}", "/aftaler/?sector={n}",
    "/jobordrer/?centre={n}", "/jobordrer/?company={n}", "/jobordrer/?page={n}", "/jobordrer/hjaelp?centre={n}",
    "/jobordrer/ny?company={n}", "/sektorer/?year={n}", "/persondata/adgangslog?user={n}",
    "/virksomheder/{n}", "/jobordrer/{n}", "/admin/brugere/{n}",
])
def test_whole_numbers_too_large_for_the_database_are_refused(client, login_as, url):
    login_as("admin")
    for n in HUGE:
        r = client.get(url.format(n=n))
        assert r.status_code < 500, (url, n, r.status_code)
        assert r.status_code in (200, 400, 404), (url, n, r.status_code)


def test_unknown_export_format_of_the_access_log_is_400(client, login_as):
    login_as("admin")
    assert client.get("/persondata/adgangslog/eksport?fmt=exe").status_code == 400


@pytest.mark.parametrize("where", ["query", "form"])
def test_nul_in_any_text_is_400(client, login_as, make_company, session, where):
    login_as("staff")
    company = make_company()
    if where == "query":
        for url in ("/virksomheder/?q=a\x00b", "/jobordrer/?q=\x00", "/aftaler/?q=x\x00", "/persondata/adgangslog?user=\x00"):
            assert client.get(url).status_code == 400, url
        return
    r = post_form(client, f"/virksomheder/{company.id}/kontakter/ny", {"name": "Mette\x00Hansen", "phone": "", "email": ""})
    assert r.status_code == 400
    assert "NUL" in r.get_data(as_text=True)
    assert session.execute(sa.text("SELECT count(*) FROM contacts")).scalar_one() == 0


def test_multipart_body_with_an_unterminated_field_name_is_400(client):
    body = b'--b\r\nContent-Disposition: form-data; name="email\r\n\r\nx\r\n--b--\r\n'
    r = client.post("/login", data=body, content_type="multipart/form-data; boundary=b")
    assert r.status_code == 400
    assert r.headers["X-Frame-Options"] == "DENY"


def test_deeply_nested_json_lines_import_is_one_line_reason(client, login_as):
    login_as("admin")
    deep = "[" * 100_000 + "]" * 100_000
    lines = deep + "\n" + json.dumps({"cvr": "nope"}) + "\n"
    token = csrf_token(client, "/virksomheder/indlaes")
    r = client.post("/virksomheder/indlaes", data={"csrf_token": token,
                                               "file": (io.BytesIO(lines.encode()), "cvr.jsonl")},
                    content_type="multipart/form-data")
    assert r.status_code < 500, r.status_code
    assert "line 1" in r.get_data(as_text=True) or "linje 1" in r.get_data(as_text=True)
