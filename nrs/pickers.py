"""Pickers that scale to a million companies and 5,000 users (issue 18 item 1).

A company is chosen by a type-ahead over name, CVR number and address (``static/picker.js`` over
``/opslag/virksomheder``); without JavaScript the same text box and a "Søg" button re-render the
form with the matches to pick from. A user is chosen from the relevant centre's staff (a select of
one centre, never of every user) plus a search for anyone else. One field class per kind, used by
every form that chooses one; the macros are in ``templates/_macros/picker.html``.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import select
from wtforms import SelectField, StringField, ValidationError

from nrs import refcache
from nrs.agreements.models import Agreement
from nrs.auth.models import User
from nrs.clock import format_date
from nrs.collation import danish
from nrs.companies import queries as company_queries
from nrs.companies.models import Company
from nrs.db import db_session, get_or_404
from nrs.forms import cvr_problem
from nrs.municipalities.models import JobCentre, Municipality
from nrs.security import access, safe_next

bp = Blueprint("pickers", __name__, url_prefix="/opslag")

#: Rows a type-ahead or a search step offers at most: more is scrolling, not choosing.
LIMIT = 10
_DIGITS = re.compile(r"\d[\d ]*")


# --- companies ---------------------------------------------------------------------------------

def company_matches(session, text: str, *, limit: int = LIMIT) -> list[Company]:
    """Companies for what was typed: name or CVR number through the company search
    (``companies.queries.search``, the one search), then an address that begins so."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    if _DIGITS.fullmatch(text):
        text = text.replace(" ", "")
    criteria = company_queries.Criteria(q=text, status="all")
    # Near matches rank after every exact one: when the exact ones fill the list, they cannot show.
    found = list(session.exec(company_queries.search(criteria, session, near=False).limit(limit)))
    if len(found) < limit:
        found = list(session.exec(company_queries.search(criteria, session).limit(limit)))
    # The address has no index (this work has no migration): it is read only when it looks like an address
    # (a street and a house number, "Kongevejen 12"), unsorted so the scan stops at the limit. A street
    # that matches nothing still reads every row: an index on lower(address) is the fix (see the report).
    looks_like_address = re.fullmatch(r"\D{3,}\s\d+\w?.*", text) is not None
    if len(found) < limit and looks_like_address:
        seen = [c.id for c in found]
        by_address = (select(Company).where(Company.address.istartswith(text, autoescape=True))
                      .where(Company.id.not_in(seen) if seen else sa.true()).limit(limit - len(found)))
        found += list(session.exec(by_address))
    return found


def company_rows(session, companies: list[Company]) -> list[dict]:
    """What a picker shows of each company: enough to tell two of the same name apart."""
    codes = {c.municipality_code for c in companies}
    names = dict(session.execute(sa.select(Municipality.code, Municipality.name)
                                 .where(Municipality.code.in_(codes))).all()) if codes else {}
    return [{"id": c.id, "name": c.name, "cvr": c.cvr, "address": ", ".join(
        part for part in (c.address, " ".join(p for p in (c.postal_code, c.city) if p)) if part),
        "municipality": names.get(c.municipality_code, ""), "active": c.active} for c in companies]


def company_label(company: Company) -> str:
    return f"{company.name} ({company.cvr})"


def create_company_url(text: str, back: str | None) -> str:
    """The company create form, with what was typed filled in and the way back to this form."""
    text = " ".join((text or "").split())
    args = {"cvr": text.replace(" ", "")} if _DIGITS.fullmatch(text or "x") else {"name": text}
    return url_for("companies.new", **{k: v for k, v in args.items() if v}, **({"next": back} if back else {}))


class CompanyPickerField(StringField):
    """A company, chosen by name, CVR number or address; ``data`` is its CVR number once valid.

    Posted as three names: ``<name>`` the text typed, ``<name>_id`` the company the type-ahead chose
    (it counts only while the text still shows that company), ``<name>_pick`` a radio of the search step.
    ``company`` is the company chosen (or None), ``matches`` the rows to pick from when none is.
    """

    def __init__(self, label=None, validators=None, *, required: bool = False, not_found=None,
                 unknown_cvr: bool = False, **kwargs):
        """``unknown_cvr``: a valid CVR number not in NRS is taken as it is (``company`` stays None), as an
        enquiry from a prospect may be."""
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.unknown_cvr = unknown_cvr
        if required:
            self.flags.required = True
        self.not_found = not_found or _l("Virksomheden med CVR-nummer %(c)s findes ikke i NRS.")
        self.chosen_id = self.picked_id = None
        self._resolved = False
        self._company = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = " ".join((self.data or "").split())
        form = getattr(self, "_formdata", None)
        if form is not None:
            self.chosen_id = _int(form.get(f"{self.name}_id"))
            self.picked_id = _int(form.get(f"{self.name}_pick"))

    def process(self, formdata, data=None, extra_filters=None):
        self._formdata = formdata
        self._resolved = False
        super().process(formdata, data, extra_filters)

    @property
    def text(self) -> str:
        return self.data or ""

    @property
    def company(self) -> Company | None:
        if not self._resolved:
            self._resolved = True
            self._company = self._resolve()
        return self._company

    def _resolve(self) -> Company | None:
        s = db_session()
        for chosen in (self.picked_id, self.chosen_id):
            if chosen is None:
                continue
            company = s.get(Company, chosen)
            if company is not None and (chosen == self.picked_id or self.text in (company_label(company),
                                                                                   company.cvr)):
                return company
        digits = self.text.replace(" ", "")
        if len(digits) == 8 and digits.isdigit():
            return s.exec(select(Company).where(Company.cvr == digits)).first()
        return None

    @property
    def matches(self) -> list[dict]:
        """The search step's rows: only while nothing is chosen and something was typed."""
        if self.company is not None or not self.text or self._cvr_typed():
            return []
        if not hasattr(self, "_matches"):
            s = db_session()
            self._matches = company_rows(s, company_matches(s, self.text))
        return self._matches

    def _cvr_typed(self) -> bool:
        digits = self.text.replace(" ", "")
        return len(digits) == 8 and digits.isdigit()

    def create_url(self) -> str:
        return create_company_url(self.text, request.path if request else None)

    def pre_validate(self, form):
        company = self.company
        if company is not None:
            self.data = company.cvr
            return
        if not self.text:
            if self.required:
                raise ValidationError(_("Vælg en virksomhed: skriv navn, CVR-nummer eller adresse."))
            self.data = ""
            return
        if self._cvr_typed():
            digits = self.text.replace(" ", "")
            problem = cvr_problem(digits)
            if problem is None and self.unknown_cvr:
                self.data = digits
                return
            raise ValidationError(problem or str(self.not_found) % {"c": digits})
        if self.matches:
            raise ValidationError(_("Vælg virksomheden på listen."))
        if self.text.replace(" ", "").isdigit():  # a CVR number of the wrong length, not a name
            raise ValidationError(cvr_problem(self.text.replace(" ", "")))
        raise ValidationError(_("Ingen virksomhed i NRS passer til »%(q)s«.", q=self.text))


def _int(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def searching(form) -> bool:
    """True when the post is a picker's "Søg" step (no JavaScript): re-render, do not save."""
    return any(f"{field.name}_search" in request.form
               for field in form if isinstance(field, CompanyPickerField | UserPickerField))


# --- agreements of the chosen company ----------------------------------------------------------

def agreement_label(agreement: Agreement) -> str:
    """Kind and period: ``Rekrutteringsaftale 01-01-2026–31-12-2026`` (no end: ``fra 01-01-2026``)."""
    start = format_date(agreement.valid_from)
    period = f"{start}–{format_date(agreement.valid_to)}" if agreement.valid_to else _("fra %(d)s", d=start)
    return f"{agreement.kind.label} {period}"


def agreement_choices(session, company_id: int | None, blank: str = "—") -> list[tuple]:
    """Only the chosen company's agreements; none before a company is chosen."""
    choices = [("", blank)]
    if company_id:
        stmt = (select(Agreement).where(Agreement.company_id == company_id)
                .order_by(Agreement.valid_from.desc(), Agreement.id.desc()))
        choices += [(a.id, agreement_label(a)) for a in session.exec(stmt)]
    return choices


# --- users -------------------------------------------------------------------------------------

def user_label(name: str, centre: str) -> str:
    return f"{name} ({centre})"


def user_choices(session, users) -> list[tuple[int, str]]:
    """A select's options for ``users``: "Navn (Jobcenter X)", as the user picker labels them (two
    "Lars Jørgensen" at two centres are told apart)."""
    names = refcache.centre_names(session)
    return [(u.id, user_label(u.name, names.get(u.job_centre_id, ""))) for u in users]


def _user_rows(session, where, *, limit: int | None = None, active: bool = True) -> list[tuple[int, str, int, str]]:
    stmt = (sa.select(User.id, User.name, JobCentre.id, JobCentre.name)
            .join(JobCentre, JobCentre.id == User.job_centre_id)
            .where(User.active.is_(True) if active else sa.true(), *where).order_by(danish(JobCentre.name), danish(User.name), User.id))
    return [tuple(r) for r in session.execute(stmt.limit(limit) if limit else stmt).all()]


def user_matches(session, text: str, *, limit: int = LIMIT) -> list[tuple[int, str, int, str]]:
    """Active users whose name or e-mail begins with, or whose name has a word beginning with, ``text``."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    return _user_rows(session, [sa.or_(User.name.istartswith(text, autoescape=True),
                                       User.name.icontains(" " + text, autoescape=True),
                                       User.email.istartswith(text, autoescape=True))], limit=limit)


class UserPickerField(SelectField):
    """A user: the relevant centre's staff as options (one optgroup), the saved user, and whoever a
    search found (``<name>_q``, by type-ahead or the "Søg" step). Never every user."""

    def __init__(self, label=None, validators=None, *, required: bool = False, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, coerce=_coerce_id, validate_choice=False, **kwargs)
        self.required = required
        if required:
            self.flags.required = True
        self.query = ""
        self.found = 0

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.query = " ".join(((formdata or {}).get(f"{self.name}_q") or "").split())[:100] if formdata else ""

    def prepare(self, session, centre_id: int | None, blank: str = "—") -> UserPickerField:
        """Choices: the centre's staff, the current value, and the search's matches, grouped by centre."""
        rows = _user_rows(session, [User.job_centre_id == centre_id]) if centre_id else []
        ids = {r[0] for r in rows}
        if self.data and self.data not in ids:
            rows += _user_rows(session, [User.id == self.data], active=False)  # the saved one, even if left
        if self.query:
            found = [r for r in user_matches(session, self.query) if r[0] not in {r[0] for r in rows}]
            self.found = len(found)
            rows += found
        groups: dict = {None: [("", blank)]}
        own = [r for r in rows if r[2] == centre_id]
        for row in own + [r for r in rows if r[2] != centre_id]:
            groups.setdefault(row[3], []).append((row[0], user_label(row[1], row[3])))
        self.choices = groups
        return self

    def pre_validate(self, form):
        if self.data is None:
            if self.required:
                raise ValidationError(_("Vælg en medarbejder."))
            return
        user = db_session().get(User, self.data)
        if user is None or not (user.active or self.data == self.object_data):
            raise ValidationError(_("Medarbejderen findes ikke i NRS. Vælg en på listen."))


def _coerce_id(value):
    if value in (None, "", "None", 0, "0"):
        return None
    if isinstance(value, int):
        return value
    parsed = _int(str(value))
    return -1 if parsed is None else parsed  # a number no user has (too big, not a number): a field error


# --- the JSON look-ups behind the type-aheads --------------------------------------------------

@bp.get("/virksomheder")
@access("user")
def companies():
    """``?q=``: at most ``LIMIT`` companies, for the type-ahead; ``create_url`` makes a new one."""
    s = db_session()
    q = request.args.get("q", "")
    rows = company_rows(s, company_matches(s, q)) if q.strip() else []
    back = request.args.get("next")
    return jsonify(items=rows, count=len(rows), create_url=create_company_url(q, safe_next(back)))


@bp.get("/virksomheder/<int:company_id>/aftaler")
@access("user")
def agreements(company_id: int):
    """The company's agreements as the order form's select shows them, when the company changes."""
    rows = agreement_choices(db_session(), get_or_404(Company, company_id).id)
    return jsonify(items=[{"id": value, "label": label} for value, label in rows if value != ""])


@bp.get("/brugere")
@access("user")
def users():
    """``?q=``: at most ``LIMIT`` active users, each with the centre (two Lars Jørgensen differ)."""
    rows = user_matches(db_session(), request.args.get("q", ""))
    return jsonify(items=[{"id": uid, "name": name, "centre": centre, "label": user_label(name, centre)}
                          for uid, name, _cid, centre in rows], count=len(rows))
