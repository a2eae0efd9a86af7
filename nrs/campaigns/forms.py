from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

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


class StatusForm(Form):
    status = SelectField(_l("Status"), choices=TargetStatus.choices(),
                         validators=[DataRequired()])
    status_on = DateField(_l("Dato"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000), no_cpr])
    version = VersionField()


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
