"""Danish working days: Monday to Friday, not a Danish public holiday.

The holidays come from the maintained ``holidays`` library (Denmark), not a hand-made list, so
rule changes such as Store Bededag's abolition from 2024 arrive with the library. Every
working-day count in NRS goes through this module.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def is_holiday(day: date) -> bool:
    """A Danish public holiday (helligdag), as the library gives it."""
    return day in _holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def _weekdays_between(start: date, end: date) -> int:
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum(1 for i in range(1, rest + 1) if (start + timedelta(days=i)).weekday() < 5)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later).

    Weekdays by arithmetic, less the holidays on weekdays in the span: an order open for years
    costs a few set look-ups, not a walk over every day.
    """
    if end <= start:
        return 0
    off = sum(1 for year in range(start.year, end.year + 1) for day in _holidays(year)
              if start < day <= end and day.weekday() < 5)
    return _weekdays_between(start, end) - off


def next_or_same_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_or_same_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day
