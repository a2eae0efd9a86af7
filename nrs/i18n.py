"""Danish first, English second; dates dd-mm-åååå in Europe/Copenhagen."""

from __future__ import annotations

from functools import cached_property

from flask import Flask, has_request_context, session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, force_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.i18n import translations as flask_wtf_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

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


def recipient_language(user):
    """``with recipient_language(user):`` an e-mail in the language its recipient chose, also from a
    scheduled job (which otherwise speaks Danish)."""
    return force_locale(user.locale if getattr(user, "locale", None) in LANGUAGES else "da")


def init_app(app: Flask) -> None:
    _Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: "Europe/Copenhagen",
        default_locale="da",
        default_timezone="Europe/Copenhagen",
        default_translation_directories=str(app.root_path + "/translations"),
    )
    # ``_`` and ``gettext`` in one template call instead of Jinja's three (alias, newstyle wrapper,
    # the callable), with the same result: escaped in HTML, always a format string. The rare
    # plural and context forms stay as Flask-Babel installed them.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.filters["date"] = clock.format_date
    app.jinja_env.filters["datetime"] = clock.format_datetime
    app.jinja_env.filters["number"] = format_number


class _Domain(Domain):
    """Flask-Babel's domain, with the translations remembered on ``g`` beside the locale they are for.

    ``flask_babel``'s own lookup reaches ``g`` through its proxy some ten times per call: 15 µs for
    each ``_()`` in a template, and a list page has hundreds (issue 20). A changed locale
    (``force_locale``, ``recipient_language``) is another Locale object, so it is looked up again.
    """

    def get_translations(self):
        ctx = _cv_app.get(None)  # Flask's own context variable: no proxy
        if ctx is None:
            return super().get_translations()
        space = ctx.g.__dict__
        locale = getattr(space.get("_flask_babel"), "babel_locale", None)
        known = space.get("_nrs_translations")
        if known is not None and locale is not None and known[0] is locale:
            return known[1]
        found = super().get_translations()
        space["_nrs_translations"] = (getattr(space.get("_flask_babel"), "babel_locale", None), found)
        return found


class _Babel(Babel):
    @cached_property
    def domain_instance(self):
        return _Domain(domain=self.domain)


def translations():
    """The translations of this context (what ``flask_babel.get_translations`` returns), fast."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return get_translations()
    return ctx.app.extensions["babel"].instance.domain_instance.get_translations()


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables):
    """A template's ``_()``, as Jinja's newstyle gettext does it (``jinja2.ext._make_new_gettext``)."""
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def format_number(value, decimals: int = 0) -> str:
    """Danish number format: 1.234,5."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def ungettext(singular: str, plural: str, n: int) -> str:
    """Our catalogue's plural, unformatted: WTForms fills in the numbers itself (``ngettext`` would
    format with ``num`` and fail on ``%(min)d``). Named so that ``pybabel extract`` finds the calls."""
    return translations().ungettext(singular, plural, n)


#: WTForms' own messages, by their English text, in our words. WTForms ships no Danish catalogue, so
#: they are Danish msgids of our catalogue like every other text: Danish mode shows the Danish, English
#: mode the catalogue's English (tests/test_i18n_messages.py fails on a WTForms message missing here).
WTFORMS_MESSAGES = {
    "Invalid field name '%s'.": _l("Ugyldigt feltnavn '%s'."),
    "Field must be equal to %(other_name)s.": _l("Feltet skal være det samme som %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Skriv mellem %(min)d og %(max)d tegn."),
    "Number must be at least %(min)s.": _l("Tallet skal være mindst %(min)s."),
    "Number must be at most %(max)s.": _l("Tallet må højst være %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Tallet skal være mellem %(min)s og %(max)s."),
    "Date must be at least %(min)s.": _l("Datoen må tidligst være %(min)s."),
    "Date must be at most %(max)s.": _l("Datoen må senest være %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Datoen skal ligge mellem %(min)s og %(max)s."),
    "This field is required.": _l("Feltet skal udfyldes."),
    "Invalid input.": _l("Værdien er ikke gyldig."),
    "Invalid email address.": _l("Skriv en gyldig e-mailadresse."),
    "Invalid IP address.": _l("Skriv en gyldig IP-adresse."),
    "Invalid Mac address.": _l("Skriv en gyldig MAC-adresse."),
    "Invalid URL.": _l("Skriv en gyldig webadresse."),
    "Invalid UUID.": _l("Skriv et gyldigt UUID."),
    "Invalid value, must be one of: %(values)s.": _l("Værdien skal være en af: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Værdien må ikke være en af: %(values)s."),
    "This field cannot be edited.": _l("Feltet kan ikke ændres."),
    "This field is disabled and cannot have a value.": _l("Feltet er slået fra og kan ikke have en værdi."),
    "Invalid CSRF Token.": _l("Formularens sikkerhedskode er ugyldig. Genindlæs siden og prøv igen."),
    "CSRF token missing.": _l("Formularens sikkerhedskode mangler. Genindlæs siden og prøv igen."),
    "CSRF failed.": _l("Formularens sikkerhedskontrol slog fejl. Genindlæs siden og prøv igen."),
    "CSRF token expired.": _l("Formularen er udløbet. Genindlæs siden og prøv igen."),
    "Invalid Choice: could not coerce.": _l("Vælg en af mulighederne."),
    "Choices cannot be None.": _l("Der er ingen muligheder at vælge imellem."),
    "Not a valid choice.": _l("Vælg en af mulighederne."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Et eller flere af valgene er ugyldige."),
    "Not a valid datetime value.": _l("Skriv tidspunktet som dd-mm-åååå tt:mm."),
    "Not a valid date value.": _l("Skriv datoen som dd-mm-åååå."),
    "Not a valid time value.": _l("Skriv klokkeslættet som tt:mm, fx 09:30."),
    "Not a valid week value.": _l("Skriv en gyldig uge."),
    "Not a valid integer value.": _l("Skriv et helt tal."),
    "Not a valid decimal value.": _l("Skriv et tal."),
    "Not a valid float value.": _l("Skriv et tal."),
}

#: WTForms' plural messages, by their English singular.
WTFORMS_PLURALS = {
    "Field must be at least %(min)d character long.":
        lambda n: ungettext("Skriv mindst %(min)d tegn.", "Skriv mindst %(min)d tegn.", n),
    "Field cannot be longer than %(max)d character.":
        lambda n: ungettext("Skriv højst %(max)d tegn.", "Skriv højst %(max)d tegn.", n),
    "Field must be exactly %(max)d character long.":
        lambda n: ungettext("Skriv præcis %(max)d tegn.", "Skriv præcis %(max)d tegn.", n),
    "'%(value)s' is not a valid choice for this field.":
        lambda n: ungettext("'%(value)s' er ikke et gyldigt valg.", "'%(value)s' er ikke gyldige valg.", n),
}


class WTFormsTranslations:
    """What every NRS form's ``Meta.get_translations`` returns: WTForms' messages in the request's
    language (Flask-Babel's locale), our catalogue first, WTForms' own catalogues for anything else."""

    def gettext(self, string):
        ours = WTFORMS_MESSAGES.get(string) if isinstance(string, str) else None
        return str(ours) if ours is not None else flask_wtf_translations.gettext(string)

    def ngettext(self, singular, plural, n):
        ours = WTFORMS_PLURALS.get(singular) if isinstance(singular, str) else None
        return ours(n) if ours is not None else flask_wtf_translations.ngettext(singular, plural, n)


wtforms_translations = WTFormsTranslations()
