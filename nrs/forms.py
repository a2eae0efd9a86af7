"""The base form (CSRF on) and validators shared by every domain."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from stdnum.dk import cvr as stdnum_cvr
from wtforms import Field, HiddenField, PasswordField, StringField, TextAreaField, widgets
from wtforms import Form as WTForm
from wtforms.validators import ValidationError

from nrs import storedtext
from nrs.clock import NoSuchDate, format_date, parse_date
from nrs.cpr import contains_cpr
from nrs.i18n import wtforms_translations

#: Form fields that hold codes or addresses, not free text: checked for control characters only.
NOT_FREE_TEXT = frozenset({"cvr", "email", "postal_code", "industry_code", "municipality_code", "codes",
                           "extra_prefixes"})


def stored_text(form, field) -> None:
    """The stored-text rule (``nrs.storedtext``) for one field: no CPR number, no control character.

    The base form runs it on every text field; listing it on a field as well changes nothing.
    """
    if not isinstance(field.data, str):
        return
    found = storedtext.problem(field.data, multiline=isinstance(field, TextAreaField),
                               cpr=field.name not in NOT_FREE_TEXT)
    if found:
        raise ValidationError(found[1])


#: The name the domains' forms used before the base form checked every field.
no_cpr = stored_text


def _checks_text(field) -> bool:
    return (isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField)
            and stored_text not in field.validators)


class OptionsOnce(widgets.Select):
    """The select of every NRS form: each ``<option>`` is rendered once per process (by value, label
    in the request's language, selected or not), not on every page. The 98 centres sit on many
    forms, and rendering them option by option was a fixed few milliseconds of those pages."""

    _rendered: dict[tuple, Markup] = {}

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        key = (type(choice.value), choice.value, type(choice.label), str(choice.label), bool(choice.selected))
        html = cls._rendered.get(key)
        if html is None:
            if len(cls._rendered) >= 20_000:
                cls._rendered.clear()
            html = cls._rendered[key] = super().render_option(choice)
        return html


_SELECTS = {False: OptionsOnce(), True: OptionsOnce(multiple=True)}


class _Meta:
    def get_translations(self, form):
        """WTForms' own messages ("This field is required.") in the request's language."""
        return wtforms_translations

    def render_field(self, field, render_kw):
        """WTForms' own rendering, with ``OptionsOnce`` for a plain select."""
        other_kw = getattr(field, "render_kw", None)
        if other_kw is not None:
            render_kw = dict(other_kw, **render_kw)
        widget = field.widget
        if type(widget) is widgets.Select:
            widget = _SELECTS[widget.multiple]
        return widget(field, **render_kw)


class SubForm(WTForm):
    """A form inside a form (``FormField``): no CSRF field of its own, WTForms' messages translated."""

    Meta = _Meta


class Form(FlaskForm):
    """Every NRS form: CSRF-protected through Flask-WTF, and no text field takes what may not be
    stored (a CPR number, a control character), so the message is shown next to the field."""

    class Meta(_Meta):
        pass
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "csrf_token" in self._fields:
            # A hidden input needs no id, and pages with several forms repeated id="csrf_token".
            self._fields["csrf_token"].render_kw = {"id": False}

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if _checks_text(field):
                extra.setdefault(name, []).append(stored_text)
        return super().validate(extra)

    def show_error(self, exc, default: str) -> None:
        """Put a service's refusal next to the field it names; a field this form has not got (a
        column named by the stored-text rule, say) gets it on ``default``, never an AttributeError."""
        field = self._fields.get(exc.field or default) or self._fields[default]
        field.errors = [*field.errors, exc.message]

    def first_error(self) -> str | None:
        for errors in self.errors.values():
            if errors:
                return errors[0] if isinstance(errors[0], str) else str(errors[0])
        return None


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
        kwargs.setdefault("render_kw", {"placeholder": _l("dd-mm-åååå"), "inputmode": "numeric"})
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
            except NoSuchDate:
                raise ValueError(_l("Datoen %(v)s findes ikke i kalenderen.", v=valuelist[0].strip())) from None
            except ValueError:
                raise ValueError(_l("Skriv datoen som dd-mm-åååå.")) from None


__all__ = ["Form", "SubForm", "Field", "DateField", "valid_cvr", "valid_email", "email_problem", "no_cpr", "cvr_problem",
           "contains_cpr", "stored_text"]
