from __future__ import annotations

from stdnum.dk import cvr as stdnum_cvr

from nrs.companies.fields import fold


def test_factory_company_has_valid_cvr_and_lead(make_company, centre_by_code):
    a = make_company()
    b = make_company(municipality_code=190, name="Farum Fragt ApS")
    assert stdnum_cvr.is_valid(a.cvr) and stdnum_cvr.is_valid(b.cvr) and a.cvr != b.cvr
    assert a.lead_centre_id == centre_by_code(201).id
    assert (a.employees_min, a.employees_max, a.industry_code) == (10, 19, "412000")
    assert b.lead_centre_id is None


def test_fold_is_case_and_accent_insensitive():
    assert fold("Ølstykke Entreprise I/S") == fold("OLSTYKKE entreprise i/s") == "olstykke entreprise i s"
    assert "olstykke" in fold("Ølstykke") and "oelstykke" not in fold("Ølstykke")
    assert fold("oelstykke") == fold("Ølstykke")
    assert fold("aa") in fold("Hørsholm Ålekro")
    assert fold("Café Ærø") == "cafe aero"


def test_an_impossible_employee_count_is_refused_not_stored():
    """Found by the hostile-input test: 2**63 overflowed the column and gave a 500."""
    import pytest

    from nrs.companies.fields import Invalid, parse_employees

    assert parse_employees("ANTAL_1000_999999") == (1000, None)
    with pytest.raises(Invalid):
        parse_employees("9223372036854775808")
    # An upper bound at or past the open band means "open", as 999999 does in CVR.
    assert parse_employees("5-9223372036854775808") == (5, None)
