"""Company field rules that need no database: the employee range and the yes/no answer."""

from __future__ import annotations

import pytest

from nrs.companies.fields import Invalid, employees_text, parse_employees, parse_flag
from nrs.yesno import yes_no


@pytest.mark.parametrize(("low", "high", "shown"), [
    (None, None, "ukendt"), (1, 1, "1 ansat"), (12, 12, "12 ansatte"), (5, 9, "5–9 ansatte"),
    (1000, None, "1000+ ansatte"),
])
def test_an_employee_range_is_shown_in_words_and_reads_back_as_the_same_range(low, high, shown):
    assert employees_text(low, high) == shown
    assert parse_employees(shown) == (low, high)


@pytest.mark.parametrize(("typed", "stored"), [
    ("", (None, None)), ("12", (12, 12)), ("5-9", (5, 9)), ("5 - ", (5, None)), ("ANTAL_10_19", (10, 19)),
    ("ANTAL_1000_999999", (1000, None)), ("ANTAL_200_", (200, None)),
])
def test_the_documented_employee_forms_are_read(typed, stored):
    assert parse_employees(typed) == stored


@pytest.mark.parametrize("typed", ["mange", "9-5", "5-9-12", "1000000", "-3"])
def test_anything_else_is_refused_with_a_danish_message(typed):
    with pytest.raises(Invalid) as caught:
        parse_employees(typed)
    assert "Skriv antal ansatte som et tal" in str(caught.value.message)


@pytest.mark.parametrize(("typed", "meant"), [
    ("ja", True), ("Nej", False), ("YES", True), ("no", False), ("1", True), ("0", False), ("true", True),
    ("False", False), (" j ", True), ("n", False), (True, True), (False, False),
])
def test_one_reading_of_yes_and_no(typed, meant):
    assert yes_no(typed) is meant
    assert parse_flag(typed) is meant


def test_blank_is_the_callers_default_and_a_typo_is_refused():
    assert yes_no("", blank=True) is True and yes_no(None) is None and parse_flag("") is False
    with pytest.raises(ValueError):
        yes_no("jaa")
    with pytest.raises(Invalid):
        parse_flag("måske")
