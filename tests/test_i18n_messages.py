"""No untranslated message in either language: the catalogue against the code, and every form's own
errors (WTForms' messages included) rendered in Danish and in English.

Issue 18 item 2: "This field is required." showed in Danish mode, an impossible date was told to use
the format it used, and English mode kept Danish placeholders.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    FileField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms import DateField as WTDateField
from wtforms.i18n import messages_path

import nrs.forms
from nrs.i18n import WTFORMS_MESSAGES, WTFORMS_PLURALS

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "nrs" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "ungettext": (1, 2), "lazy_gettext": None, "_l": None}
#: Words no Danish text has; one of them in Danish mode is English that was not translated.
ENGLISH = re.compile(r"\b(the|this|field|is|are|must|required|invalid|enter|number|value|choice|characters?|"
                     r"not|please|should|date|between|least|most|cannot|edit|delete|save)\b", re.I)
#: Words no English text has (and the Danish letters).
DANISH = re.compile(r"[æøåÆØÅ]|\b(og|ikke|skal|skriv|feltet|tallet|datoen|vælg|mindst|højst|findes|eller|"
                    r"af|en|et|til|på|med|må|være|gem|ret|slet)\b", re.I)
#: Danish msgids that are English words too (names, codes, loanwords); checked by hand.
SAME_IN_BOTH = {"Administration", "Type", "Note", "Start", "Status", "Jobservice Danmark", "Jobnet", "NRS",
                "NRS: %(text)s", ">14 d.", "system", "API", "Parameter", "Send link", "Link", "CVR", "Send",
                "Allerød, Egedal, Fredensborg, Frederikssund, Gribskov, Halsnæs, Helsingør, Hillerød, Hørsholm",
                "Nordsjællands Rekrutteringsservice: status %(p)s"}


def _extracted() -> dict[str, str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, str] = {}
    # Babel skips directories starting with "_" by default, which left templates/_macros (the
    # pickers, the pager, the form errors) out of the catalogue, Danish in English mode.
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith(".")):
        if filename.startswith((".venv", "tests", "bench", "migrations")):
            continue
        found.setdefault(message[0] if isinstance(message, tuple) else message, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    return _extracted()


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as f:
        return read_po(f, locale="en")


def test_every_message_in_the_code_has_an_english_translation(extracted, catalogue):
    """A fuzzy entry is not compiled: English mode showed "Denne måned" (its fuzzy guess was "The new key")."""
    missing = []
    for msgid, where in extracted.items():
        entry = catalogue.get(msgid)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ())
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "\n".join(missing)


def test_the_code_writes_its_messages_in_danish(extracted):
    english = [f"{where}: {msgid!r}" for msgid, where in extracted.items()
               if msgid not in SAME_IN_BOTH and ENGLISH.search(msgid) and not DANISH.search(msgid)]
    assert not english, "\n".join(english)


def test_every_wtforms_message_has_our_danish_text():
    """WTForms ships no Danish catalogue; a message a new WTForms adds must get our words."""
    with open(Path(messages_path()) / "wtforms.pot", "rb") as f:
        pot = read_po(f)
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in pot if m.id}
    assert ids - set(WTFORMS_MESSAGES) - set(WTFORMS_PLURALS) == set()


def _form_classes() -> list[type]:
    """Every form of the app: subclasses of the base forms, once the app (and so every view) is imported."""
    seen, todo = [], [nrs.forms.Form, nrs.forms.SubForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return sorted(seen, key=lambda c: (c.__module__, c.__qualname__))


def _bad_value(field) -> str:
    """What a user gets wrong in a field of this kind."""
    if isinstance(field, IntegerField):
        return "mange"
    if isinstance(field, nrs.forms.DateField | WTDateField):
        return "31-02-2016"
    if isinstance(field, SelectField | SelectMultipleField):
        return "findes-ikke"
    if isinstance(field, EmailField) or "email" in field.name:
        return "x@"
    if isinstance(field, BooleanField | FileField):
        return ""
    if isinstance(field, StringField):
        return "x" * 20000
    return ""


#: What a form's keyword-only arguments are given (a form with another one fails the test: add it here).
ARGUMENTS = {"known_municipalities": {101, 201},
             "municipalities": [(101, "København", False), (201, "Allerød", True)]}


def _build(cls, data: dict[str, str]):
    kwargs = {"meta": {"csrf": False}} if issubclass(cls, nrs.forms.Form) else {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            kwargs[name] = ARGUMENTS[name]
    form = cls(formdata=MultiDict(data), **kwargs)
    for field in form:
        if isinstance(field, SelectField | SelectMultipleField) and field.choices is None:
            field.choices = []
    return form


def _errors(form) -> list[str]:
    form.validate()
    out = []

    def walk(errors):
        for value in errors.values() if isinstance(errors, dict) else errors:
            if isinstance(value, dict | list):
                walk(value)
            else:
                out.append(str(value))

    walk(form.errors)
    return out


def _form_errors(app, lang: str) -> dict[str, list[str]]:
    found = {}
    for cls in _form_classes():
        for variant in ("empty", "bad"):
            with app.test_request_context("/", method="POST"), force_locale(lang):
                form = _build(cls, {})
                if variant == "bad":
                    form = _build(cls, {f.name: _bad_value(f) for f in form if _bad_value(f)})
                found[f"{cls.__module__}.{cls.__qualname__} ({variant})"] = _errors(form)
    return found


@pytest.fixture
def backend():
    return "sqlite"  # forms only: no database work


def test_every_form_error_is_danish_in_danish_mode(app):
    found = _form_errors(app, "da")
    assert sum(map(len, found.values())) > 50, "the forms gave too few errors to judge"
    english = [f"{form}: {text}" for form, texts in found.items() for text in texts if ENGLISH.search(text)]
    assert not english, "\n".join(english)


def test_every_form_error_is_english_in_english_mode(app):
    found = _form_errors(app, "en")
    danish = [f"{form}: {text}" for form, texts in found.items() for text in texts
              if DANISH.search(text.replace("31-02-2016", ""))]
    assert not danish, "\n".join(danish)


@pytest.mark.parametrize(("lang", "expected"), [("da", "Datoen 31-02-2016 findes ikke i kalenderen."),
                                                ("en", "The date 31-02-2016 does not exist in the calendar.")])
def test_an_impossible_date_is_told_it_does_not_exist(app, lang, expected):
    class Dated(nrs.forms.Form):
        day = nrs.forms.DateField("Dag")

    with app.test_request_context("/", method="POST"), force_locale(lang):
        form = Dated(formdata=MultiDict({"day": "31-02-2016"}), meta={"csrf": False})
        assert not form.validate()
        assert [str(e) for e in form.day.errors] == [expected]
        wrong = Dated(formdata=MultiDict({"day": "31 februar"}), meta={"csrf": False})
        assert not wrong.validate()
        assert "findes ikke" not in str(wrong.day.errors[0])


@pytest.mark.parametrize(("lang", "required", "placeholder"), [("da", "Feltet skal udfyldes.", "dd-mm-åååå"),
                                                               ("en", "This field is required.", "dd-mm-yyyy")])
def test_wtforms_messages_and_placeholders_follow_the_language(app, lang, required, placeholder):
    from wtforms.validators import DataRequired, NumberRange

    class Counted(nrs.forms.Form):
        name = StringField("Navn", validators=[DataRequired()])
        count = IntegerField("Antal", validators=[NumberRange(min=1)])
        day = nrs.forms.DateField("Dag")

    with app.test_request_context("/", method="POST"), force_locale(lang):
        form = Counted(formdata=MultiDict({"count": "0"}), meta={"csrf": False})
        assert not form.validate()
        assert [str(e) for e in form.name.errors] == [required]
        assert str(form.count.errors[0]) == {"da": "Tallet skal være mindst 1.",
                                             "en": "Number must be at least 1."}[lang]
        assert f'placeholder="{placeholder}"' in form.day()
