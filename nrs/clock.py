"""Time in one place: stored in UTC, shown and scheduled in Europe/Copenhagen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def utcnow() -> datetime:
    """Aware UTC: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)


def local(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(COPENHAGEN)


def today() -> date:
    return datetime.now(COPENHAGEN).date()


def format_date(value: date | datetime | None) -> str:
    """Danish date format dd-mm-åååå."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%d-%m-%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return local(value).strftime("%d-%m-%Y %H:%M")


class NoSuchDate(ValueError):
    """Written as a date (31-02-2016) but no such day exists: the user needs another message than
    for the wrong format, which they did not use."""


#: The shapes ``parse_date`` reads, by digits alone: a text of this shape that does not parse names no day.
_DATE_SHAPE = re.compile(r"\d{1,2}([-./])\d{1,2}\1\d{4}|\d{4}-\d{1,2}-\d{1,2}")


def parse_date(text: str) -> date:
    """Read ``dd-mm-åååå`` (what staff type) or ISO ``åååå-mm-dd`` (what files and browsers send)."""
    text = (text or "").strip()
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if _DATE_SHAPE.fullmatch(text):
        raise NoSuchDate(f"{text!r} is no day of the calendar")
    raise ValueError(f"{text!r} is not a date (dd-mm-åååå)")
