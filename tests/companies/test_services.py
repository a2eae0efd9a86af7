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
