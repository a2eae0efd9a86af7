"""Danish working days from the ``holidays`` library: weekends and public holidays are skipped."""

from __future__ import annotations

from datetime import date

from nrs.joborders.jobs import working_days_between as help_rule_count
from nrs.workdays import (
    add_working_days,
    is_working_day,
    next_or_same_working_day,
    working_days_between,
)


def test_easter_is_not_worked():
    # 2016: Skærtorsdag 24/3, Langfredag 25/3, 2. påskedag 28/3.
    assert not is_working_day(date(2016, 3, 24))
    assert not is_working_day(date(2016, 3, 28))
    # Wednesday 23/3 -> Wednesday 30/3: only Tuesday 29 and Wednesday 30 are worked.
    assert working_days_between(date(2016, 3, 23), date(2016, 3, 30)) == 2


def test_store_bededag_until_2023_only():
    assert not is_working_day(date(2023, 5, 5))  # Store bededag 2023
    assert is_working_day(date(2024, 4, 26))  # abolished from 2024: an ordinary Friday


def test_plain_weeks_and_edges():
    assert working_days_between(date(2016, 3, 4), date(2016, 3, 11)) == 5
    assert working_days_between(date(2016, 3, 7), date(2016, 3, 7)) == 0
    assert working_days_between(date(2016, 3, 8), date(2016, 3, 7)) == 0
    # Christmas 2016: 26/12 is a Monday holiday; Fri 23/12 -> Tue 27/12 is one day.
    assert working_days_between(date(2016, 12, 23), date(2016, 12, 27)) == 1


def test_the_help_request_rule_uses_it():
    assert help_rule_count is working_days_between
    assert next_or_same_working_day(date(2016, 3, 25)) == date(2016, 3, 29)
    assert add_working_days(date(2016, 3, 23), 2) == date(2016, 3, 30)


def test_long_spans_agree_with_a_day_by_day_count():
    start, end = date(2015, 1, 1), date(2019, 6, 30)
    slow, day = 0, start
    while day < end:
        day = date.fromordinal(day.toordinal() + 1)
        slow += is_working_day(day)
    assert working_days_between(start, end) == slow
