from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from nrs.agreements.models import AgreementKind
from nrs.forms import DateField, Form, no_cpr, valid_cvr
from nrs.locking import VersionField


class AgreementForm(Form):
    """Create or edit an agreement; choices are filled in by the view, rules live in services."""

    cvr = StringField(_l("Virksomhedens CVR-nummer"), validators=[DataRequired(), valid_cvr])
    kind = SelectField(_l("Aftaletype"), choices=AgreementKind.choices(),
                       validators=[DataRequired()])
    focus_sector_id = SelectField(_l("Fokusbranche"), coerce=int, validators=[Optional()])
    confirm_sector_mismatch = BooleanField(
        _l("Virksomhedens branchekode hører ikke til fokusbranchen; aftalen skal alligevel høre til den"))
    signed_on = DateField(_l("Underskrevet"), description=_l("Tom, så længe aftalen ikke er underskrevet."))
    valid_from = DateField(_l("Gælder fra"), validators=[InputRequired(message=_l("Angiv hvornår aftalen gælder fra."))])
    valid_to = DateField(_l("Gælder til og med"), description=_l("Tom for en aftale uden slutdato."))
    coordinating_centre_id = SelectField(_l("Tovholder (jobcenter)"), coerce=int, validators=[Optional()])
    contact_user_id = SelectField(_l("NRS-kontaktperson"), coerce=int, validators=[Optional()])
    notes = TextAreaField(_l("Noter"), validators=[Length(max=4000), no_cpr])
    document = FileField(_l("Underskrevet aftale (PDF)"))
    #: The version the user saw; missing or not the one saved now, the save is refused as stale.
    version = VersionField()


class DeleteForm(Form):
    """Only the CSRF token: deleting is a POST from a button."""
