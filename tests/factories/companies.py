"""``make_company(**overrides)``: a committed Company with a valid CVR number and its lead assigned."""

from __future__ import annotations

import itertools

import pytest

from nrs.companies import services
from nrs.companies.fields import fold

_n = itertools.count(1)
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def next_cvr() -> str:
    """A fresh CVR number that passes the modulus-11 check (check digit chosen, never 10)."""
    while True:
        base = f"{3000000 + next(_n)}"
        total = sum(int(d) * w for d, w in zip(base, WEIGHTS, strict=False))
        check = (-total) % 11
        if check < 10:
            return base + str(check)


@pytest.fixture
def make_company(session):
    def make(**overrides):
        n = next(_n)
        values = {
            "cvr": next_cvr(),
            "name": f"Testvirksomhed {n} ApS",
            "address": f"Stationsvej {n}",
            "postal_code": "3450",
            "city": "Allerød",
            "municipality_code": 201,
            "industry_code": "412000",
            "employees": (10, 19),
            "active": True,
            "advertising_protected": False,
            "phone": "",
            "email": "",
        }
        values.update(overrides)
        low, high = values.pop("employees") or (None, None)
        values["employees_min"], values["employees_max"] = low, high
        extra = {k: values.pop(k) for k in list(values) if k not in services.DATA_FIELDS and k != "cvr"}
        company = services.create_company(session, by=None, values=values)
        for key, value in extra.items():
            setattr(company, key, value)
        company.name_search = fold(company.name)
        session.commit()
        return company

    return make
