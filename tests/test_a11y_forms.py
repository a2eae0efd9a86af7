"""The field macro and base.html, read as a screen reader would (WCAG 2.1 AA): errors and hints are
tied to their field, required fields are marked, checkbox lists are fieldsets with a legend, ids are
unique, a skip link leads to the content and a failed submit lists its errors at the top."""

from __future__ import annotations

import re
from collections import Counter

from tests.conftest import post_form


def _tag(html: str, attr: str, value: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)\b[^>]*\b{attr}="{re.escape(value)}"[^>]*>', html)
    assert found, f"no field with {attr}={value}"
    return found.group(0)


def _ids(html: str) -> Counter:
    return Counter(re.findall(r'\bid="([^"]+)"', html))


def test_a_field_with_an_error_is_invalid_and_described_by_its_error_and_hint(client, login_as):
    login_as("admin")
    html = post_form(client, "/sektorer/ny", {"year": "2016", "name": "Transport", "codes": "4x"}).get_data(
        as_text=True)
    codes = _tag(html, "name", "codes")
    assert 'aria-invalid="true"' in codes
    assert 'aria-describedby="codes-hint codes-error"' in codes
    assert 'id="codes-hint"' in html and re.search(r'id="codes-error"[^>]*>\s*<p class="error">4x er ikke', html)
    assert "aria-invalid" not in _tag(html, "name", "year") + _tag(html, "name", "name")

    html = post_form(client, "/sektorer/ny", {"year": "2016", "name": "", "codes": "41"}).get_data(as_text=True)
    name = _tag(html, "name", "name")
    assert 'aria-invalid="true"' in name and 'aria-describedby="name-error"' in name


def test_required_fields_are_marked_visibly_and_for_assistive_technology(client, login_as):
    login_as("admin")
    html = client.get("/sektorer/ny").get_data(as_text=True)
    name = _tag(html, "name", "name")
    assert " required" in name and 'aria-required="true"' in name
    assert re.search(r'<label for="name">Navn</label> <span class="req"[^>]*>\*</span>', html)
    assert "aria-invalid" not in html  # nothing wrong before a submit


def test_the_error_summary_links_to_the_fields_after_a_failed_submit(client, login_as):
    login_as("admin")
    html = post_form(client, "/sektorer/ny", {"year": "1999", "name": "", "codes": "41"}).get_data(as_text=True)
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'role="alert"' in html.split('data-testid="error-summary"')[0][-200:]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == ["year", "name"]
    assert links[0][1].startswith("År: ")
    assert html.index("error-summary") < html.index('<form method="post"', html.index("<main"))
    assert "error-summary" not in client.get("/sektorer/ny").get_data(as_text=True)


def test_checkbox_lists_are_fieldsets_with_a_legend(client, login_as, make_focus_sector):
    make_focus_sector()
    login_as("coordinator")
    html = client.get("/kampagner/ny").get_data(as_text=True)
    assert re.search(r'<fieldset class="field group[^"]*"[^>]*>\s*<legend>Fokusbrancher</legend>', html)
    assert re.search(r'<fieldset class="field group[^"]*"[^>]*>\s*<legend>Kommuner</legend>', html)
    assert '<label for="sectors">' not in html and '<label for="municipalities">' not in html


def test_no_id_twice_on_pages_with_several_forms(client, login_as, make_job_order, make_company, make_agreement):
    login_as("coordinator")
    order = make_job_order()
    company = make_company()
    agreement = make_agreement()
    for url in ("/", f"/jobordrer/{order.id}", f"/virksomheder/{company.id}", f"/aftaler/{agreement.id}",
                "/sektorer/"):
        html = client.get(url).get_data(as_text=True)
        twice = {i: n for i, n in _ids(html).items() if n > 1}
        assert twice == {}, (url, twice)
        assert 'id="csrf_token"' not in html, url


def test_a_skip_link_leads_to_the_main_content_first(client, login_as):
    login_as("staff")
    html = client.get("/").get_data(as_text=True)
    body = html.split("<body>")[1]
    first_link = re.search(r"<a\b[^>]*>", body).group(0)
    assert 'href="#main"' in first_link and 'class="skip"' in first_link
    assert '<main id="main"' in html


def test_the_menu_folds_without_javascript(client, login_as):
    login_as("staff")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="menu-toggle"[^>]*>\s*<label for="menu-toggle"', html)
    assert html.index('id="menu-toggle"') < html.index('class="mainnav"')
