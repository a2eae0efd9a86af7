"""The base form (CSRF on) and validators shared by every domain."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum.dk import cvr as stdnum_cvr
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from nrs.clock import format_date, parse_date

#: ddmmyy-nnnn or ddmmyynnnn with a plausible day and month: what a CPR number looks like.
CPR_PATTERN = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}[- ]?\d{4}(?!\d)")


class Form(FlaskForm):
    """Every NRS form: CSRF-protected through Flask-WTF."""

    def first_error(self) -> str | None:
        for errors in self.errors.values():
            if errors:
                return errors[0] if isinstance(errors[0], str) else str(errors[0])
        return None


def contains_cpr(text: str | None) -> bool:
    return bool(text) and CPR_PATTERN.search(text) is not None


def no_cpr(form, field) -> None:
    """Refuse anything that looks like a CPR number: NRS must never store one."""
    if isinstance(field.data, str) and contains_cpr(field.data):
        raise ValidationError(
            _l("Feltet ligner et CPR-nummer. NRS må ikke gemme CPR-numre; brug jobcentrets sagsnummer.")
        )


def email_problem(value: str) -> str | None:
    """Why ``value`` is not an e-mail address, or None (syntax only; no DNS look-ups)."""
    try:
        # test_environment admits reserved names (*.test, *.local) that internal addresses use.
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return str(_l("%(v)s er ikke en gyldig e-mailadresse.", v=value))
    return None


def valid_email(form, field) -> None:
    if field.data:
        problem = email_problem(field.data.strip())
        if problem:
            raise ValidationError(problem)


def cvr_problem(value: str) -> str | None:
    """Why ``value`` is not a CVR number, or None. python-stdnum is the reference."""
    value = (value or "").strip()
    if not re.fullmatch(r"\d{8}", value):
        return str(_l("CVR-nummeret skal være 8 cifre."))
    if value.startswith("0"):
        return str(_l("Et CVR-nummer begynder ikke med 0."))
    if not stdnum_cvr.is_valid(value):
        return str(_l("CVR-nummeret %(v)s har forkert kontrolciffer (modulus 11).", v=value))
    return None


def valid_cvr(form, field) -> None:
    problem = cvr_problem(field.data)
    if problem:
        raise ValidationError(problem)


class DateField(StringField):
    """A date typed as dd-mm-åååå (ISO åååå-mm-dd is accepted too)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd-mm-åååå", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_date(valuelist[0])
            except ValueError:
                raise ValueError(_l("Skriv datoen som dd-mm-åååå.")) from None


__all__ = ["Form", "Field", "DateField", "valid_cvr", "valid_email", "email_problem", "no_cpr", "cvr_problem",
           "contains_cpr"]
