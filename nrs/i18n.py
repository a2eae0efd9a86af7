"""Danish first, English second; dates dd-mm-åååå in Europe/Copenhagen."""

from __future__ import annotations

from flask import Flask, has_request_context, session
from flask_babel import Babel
from flask_login import current_user

from nrs import clock

LANGUAGES = ("da", "en")


def select_locale() -> str:
    if not has_request_context():
        return "da"  # the CLI and scheduled jobs speak Danish
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    # Danish first: English only when the user chooses it (browsers at municipal PCs often say en-US).
    return "da"


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: "Europe/Copenhagen",
        default_locale="da",
        default_timezone="Europe/Copenhagen",
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters["date"] = clock.format_date
    app.jinja_env.filters["datetime"] = clock.format_datetime
    app.jinja_env.filters["number"] = format_number


def format_number(value, decimals: int = 0) -> str:
    """Danish number format: 1.234,5."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
