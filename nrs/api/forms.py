from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from nrs.api.tokens import MAX_DAYS
from nrs.forms import Form


class TokenForm(Form):
    """A new API key; the centre choices (0 = all nine) are filled in by the view."""

    name = StringField(_l("Navn (hvilken integration)"), validators=[DataRequired(), Length(max=100)])
    centre = SelectField(_l("Jobcenter"), coerce=int, validators=[Optional()])
    days = IntegerField(_l("Gyldig i dage (tom: til den tilbagekaldes)"),
                        validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)])
    referrals = BooleanField(_l("Må læse henvisninger (persondata)"))
