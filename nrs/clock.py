"""Time in one place: stored in UTC, shown and scheduled in Europe/Copenhagen."""

from __future__ import annotations

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


def parse_date(text: str) -> date:
    """Read ``dd-mm-åååå`` (what staff type) or ISO ``åååå-mm-dd`` (what files and browsers send)."""
    text = (text or "").strip()
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (dd-mm-åååå)")
