"""The reports domain's forms: a subscription to the period report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from nrs.forms import Form

#: ``ReportSubscription.every`` and its words (the form's choices, the list's column).
EVERY_CHOICES = [("quarter", _l("Efter hvert kvartal")), ("month", _l("Efter hver måned"))]


class SubscriptionForm(Form):
    """An address list that gets the period report as a PDF; the centre choices are filled in by the view."""

    name = StringField(_l("Navn (hvem listen er)"), validators=[Length(max=200)],
                       description=_l("Fx Styregruppen eller Beskæftigelsesudvalget i Hillerød"))
    recipients = TextAreaField(_l("E-mailadresser"), validators=[DataRequired(), Length(max=4000)],
                               description=_l("En eller flere, adskilt af komma eller linjeskift"))
    every = SelectField(_l("Hvor ofte"), choices=EVERY_CHOICES, default="quarter")
    #: A centre's municipality code, or empty for all of NRS (the name ``nrs.reports.scheduled`` refuses by).
    centre_code = SelectField(_l("Rapport for"), choices=[], validate_choice=False)
