from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from nrs.forms import Form
from nrs.locking import VersionField


class SectorForm(Form):
    """A focus sector; the codes are parsed and checked by ``services.parse_codes``."""

    year = IntegerField(_l("År"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    name = StringField(_l("Navn"), validators=[DataRequired(), Length(max=120)])
    codes = StringField(
        _l("Branchekoder (DB07)"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("Præfikser på 2 til 6 cifre adskilt af komma, fx 41,42,43 eller 49-53."),
    )
    #: The version the user saw when editing (empty on the new-sector form, which ignores it).
    version = VersionField()


class DeleteForm(Form):
    """Only the CSRF token: deleting is a POST from a button."""
