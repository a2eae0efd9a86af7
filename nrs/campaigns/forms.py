from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nrs.activities.models import ActivityKind
from nrs.campaigns.models import TargetStatus
from nrs.forms import DateField, Form, no_cpr
from nrs.locking import VersionField


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CampaignForm(Form):
    """A new campaign; choices for sectors and municipalities are filled in by the view."""

    name = StringField(_l("Navn"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("År"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    starts_on = DateField(_l("Start"), validators=[Optional()])
    ends_on = DateField(_l("Slut"), validators=[Optional()])
    sectors = CheckboxesField(_l("Fokusbrancher"), coerce=int,
                              description=_l("Ingen valgt: årets fokusbrancher."))
    extra_prefixes = StringField(
        _l("Andre branchekoder (DB07)"), validators=[Optional(), Length(max=500)],
        description=_l("Præfikser adskilt af komma, fx 55,56."),
    )
    min_employees = IntegerField(_l("Mindst antal ansatte"), default=5,
                                 validators=[InputRequired(), NumberRange(min=0, max=100000)])
    municipalities = CheckboxesField(_l("Kommuner"), coerce=int)
    exclude_advertising_protected = BooleanField(_l("Udelad reklamebeskyttede virksomheder"), default=True)
    exclude_active_agreements = BooleanField(_l("Udelad virksomheder med en aktiv aftale"))

    @property
    def prefixes(self) -> list[str]:
        return [p.strip() for p in (self.extra_prefixes.data or "").split(",") if p.strip()]


#: The outcomes a contact can have (not "not contacted").
OUTCOMES = [(value, label) for value, label in TargetStatus.choices() if value != TargetStatus.not_contacted]
KINDS = [(k.value, k.label) for k in (ActivityKind.call, ActivityKind.visit, ActivityKind.meeting,
                                      ActivityKind.email)]


class StatusForm(Form):
    """The contact on a target: it is recorded as an activity; the view fills in the assignee's choices."""

    status = SelectField(_l("Udfald"), choices=OUTCOMES, validators=[DataRequired()])
    kind = SelectField(_l("Kontaktform"), choices=KINDS, default=ActivityKind.call.value)
    status_on = DateField(_l("Dato"), validators=[DataRequired()])
    call_back_on = DateField(_l("Ring igen den"), validators=[Optional()],
                             description=_l("Kun ved »Ikke truffet / ring igen«: bliver en opgave."))
    meeting_on = DateField(_l("Mødedato"), validators=[Optional()],
                           description=_l("Kun ved »Møde aftalt«: bliver en opgave på dagen."))
    assignee = SelectField(_l("Opgaven til"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000), no_cpr])
    #: Set by the confirmation step when the status moves backwards.
    confirm_backwards = HiddenField()
    version = VersionField()


class OutcomeImportForm(Form):
    file = FileField(_l("Udfyldt målliste (XLSX eller CSV)"), validators=[FileRequired(_l("Vælg en fil."))])
    skip_invalid = BooleanField(_l("Indlæs de gyldige rækker, selv om nogle er ugyldige"))


class RemoveForm(Form):
    reason = StringField(_l("Hvorfor fjernes virksomheden fra listen?"),
                         validators=[DataRequired(), Length(max=500), no_cpr])


class LeadForm(Form):
    centre = SelectField(_l("Jobcenter"), coerce=int, validators=[DataRequired()])


class LinkForm(Form):
    # Bounded to the databases' integer range: a larger number is refused, not a 500.
    job_order_id = IntegerField(_l("Jobordre nr."), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    agreement_id = IntegerField(_l("Aftale nr."), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])


class ActionForm(Form):
    """Only the CSRF token: a button that posts."""
