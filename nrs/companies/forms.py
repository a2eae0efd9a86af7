"""Company forms. Each field is checked by the same parser the import uses (``fields.py``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from nrs.companies import fields as f
from nrs.forms import Form, no_cpr
from nrs.locking import VersionField


def _parsed(parse, *args):
    """A WTForms validator that runs ``parse`` and keeps its result in ``field.parsed``."""

    def check(form, field):
        try:
            field.parsed = parse(field.data, *args)
        except f.Invalid as exc:
            raise ValidationError(str(exc.message)) from None

    return check


class CompanyForm(Form):
    #: No maxlength: a browser would cut a pasted 9-digit number to 8 digits, maybe another valid CVR
    #: number; ``parse_cvr`` refuses the wrong length with a message instead.
    cvr = StringField(_l("CVR-nummer"), render_kw={"inputmode": "numeric"})
    name = StringField(_l("Navn"))
    address = StringField(_l("Adresse"), validators=[_parsed(f.parse_text, 300)])
    postal_code = StringField(_l("Postnr."), validators=[_parsed(f.parse_postal_code)])
    city = StringField(_l("By"), validators=[_parsed(f.parse_text, 100)])
    municipality_code = SelectField(_l("Kommune"), choices=[], validate_choice=False)
    industry_code = StringField(_l("Branchekode (DB07, 6 cifre)"), validators=[_parsed(f.parse_industry)],
                                render_kw={"inputmode": "numeric", "maxlength": 8})
    employees = StringField(_l("Ansatte"), validators=[_parsed(f.parse_employees)],
                            description=_l("Et tal (12), et interval (5-9) eller tomt, hvis det er ukendt"))
    active = BooleanField(_l("Aktiv (ikke ophørt)"), default=True)
    advertising_protected = BooleanField(_l("Reklamebeskyttet"))
    phone = StringField(_l("Telefon"), validators=[_parsed(f.parse_text, 40)])
    email = StringField(_l("E-mail"), validators=[_parsed(f.parse_email)])
    version = VersionField()

    def __init__(self, *args, municipalities: list[tuple[int, str, bool]], **kwargs):
        """``municipalities``: (code, name, NRS member) from the reference data; the nine come first."""
        super().__init__(*args, **kwargs)
        known_municipalities = {code for code, _name, _member in municipalities}
        self.municipality_code.choices = municipality_choices(municipalities)
        self.cvr.validators = [_parsed(f.parse_cvr)]
        self.name.validators = [_parsed(f.parse_name), no_cpr]
        self.municipality_code.validators = [_parsed(f.parse_municipality, known_municipalities)]

    def values(self) -> dict:
        low, high = self.employees.parsed
        values = {
            "name": self.name.parsed, "address": self.address.parsed, "postal_code": self.postal_code.parsed,
            "city": self.city.parsed, "municipality_code": self.municipality_code.parsed,
            "industry_code": self.industry_code.parsed, "employees_min": low, "employees_max": high,
            "active": self.active.data, "advertising_protected": self.advertising_protected.data,
            "phone": self.phone.parsed, "email": self.email.parsed,
        }
        if self.cvr is not None and hasattr(self.cvr, "parsed"):
            values["cvr"] = self.cvr.parsed
        return values


def municipality_choices(municipalities) -> dict:
    """Option groups: the NRS municipalities, then the rest, by name; values as the code is written (201)."""
    def options(member: bool):
        return [(f"{code:03d}", f"{name} ({code:03d})")
                for code, name, is_member in sorted(municipalities, key=lambda m: m[1]) if is_member == member]
    return {None: [("", str(_l("Vælg kommune")))], str(_l("NRS-kommuner")): options(True),
            str(_l("Øvrige kommuner")): options(False)}


class ContactForm(Form):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Navnet skal udfyldes.")), Length(max=200), no_cpr])
    role = StringField(_l("Stilling"), validators=[Length(max=200), no_cpr])
    phone = StringField(_l("Telefon"), validators=[Length(max=40)])
    email = StringField(_l("E-mail"), validators=[_parsed(f.parse_email), Length(max=254)])
    version = VersionField()


class LeadForm(Form):
    centre = SelectField(_l("Ledende jobcenter"), coerce=int, validators=[DataRequired()])
    reason = TextAreaField(_l("Begrundelse"),
                           validators=[DataRequired(_l("Skriv hvorfor det ledende jobcenter ændres.")),
                                       Length(max=500), no_cpr],
                           description=_l("Hvad er aftalt mellem jobcentrene?"))


class ContactPersonForm(Form):
    user = SelectField(_l("NRS-kontaktperson"), coerce=lambda v: int(v) if v else None)


class ImportForm(Form):
    file = FileField(_l("Fil (CSV eller CVR JSON Lines)"), validators=[FileRequired(_l("Vælg en fil."))])
    skip_invalid = BooleanField(_l("Indlæs de gyldige rækker, selv om nogle er ugyldige"))
