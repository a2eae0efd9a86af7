"""Forms for recording activities and working tasks; every edit form carries the version it saw."""

from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from nrs.activities.models import ActivityKind
from nrs.forms import DateField, Form
from nrs.locking import VersionField


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


def _clock(form, field) -> None:
    if field.data and not re.fullmatch(r"([01]?\d|2[0-3])[:.][0-5]\d", field.data.strip()):
        raise ValidationError(_l("Skriv klokkeslættet som tt:mm, fx 09:30."))


def clock_value(text: str | None) -> time | None:
    if not text or not text.strip():
        return None
    hours, minutes = re.split(r"[:.]", text.strip())
    return time(int(hours), int(minutes))


class ActivityForm(Form):
    kind = SelectField(_l("Type"), choices=ActivityKind.choices(), default=ActivityKind.call.value)
    day = DateField(_l("Dato"), validators=[DataRequired(_l("Skriv datoen for kontakten."))])
    clock = StringField(_l("Klokken"), validators=[Optional(), _clock], render_kw={"placeholder": _l("tt:mm")})
    contact = SelectField(_l("Kontaktperson hos virksomheden"), coerce=_optional_id, validate_choice=True)
    job_order = SelectField(_l("Jobordre"), coerce=_optional_id)
    agreement = SelectField(_l("Aftale"), coerce=_optional_id)
    summary = TextAreaField(_l("Resumé"), validators=[DataRequired(_l("Skriv et resumé af kontakten.")),
                                                      Length(max=2000)])
    outcome = StringField(_l("Resultat"), validators=[Length(max=1000)])
    follow_up = DateField(_l("Følg op den"), validators=[Optional()],
                          description=_l("En dato her giver en opgave med den frist."))
    follow_up_title = StringField(_l("Opgavens titel"), validators=[Length(max=200)])
    assignee = SelectField(_l("Opgaven gives til"), coerce=_optional_id)
    version = VersionField()


class TaskForm(Form):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Giv opgaven en titel.")), Length(max=200)])
    due = DateField(_l("Frist"), validators=[DataRequired(_l("Vælg en dato for opgaven."))])
    assignee = SelectField(_l("Ansvarlig"), coerce=_optional_id)
    job_order = SelectField(_l("Jobordre"), coerce=_optional_id)
    version = VersionField()


class CompleteTaskForm(Form):
    note = TextAreaField(_l("Afsluttende note"), validators=[Length(max=2000)],
                         description=_l("Valgfri: noten gemmes som en aktivitet på virksomheden."))
    version = VersionField()


class ReassignForm(Form):
    assignee = SelectField(_l("Giv opgaven til"), coerce=_optional_id,
                           validators=[DataRequired(_l("Vælg en medarbejder."))])
    version = VersionField()


class VersionOnlyForm(Form):
    """Reopen a task, delete an activity: nothing to fill in but the version seen."""

    version = VersionField()
