from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from nrs.agreements.models import AgreementKind
from nrs.forms import DateField, Form, no_cpr
from nrs.locking import VersionField
from nrs.pickers import CompanyPickerField, UserPickerField


class AgreementForm(Form):
    """Create or edit an agreement; choices are filled in by the view, rules live in services."""

    cvr = CompanyPickerField(_l("Virksomhed"), required=True,
                             not_found=_l("Der findes ingen virksomhed med CVR-nummer %(c)s i NRS."))
    kind = SelectField(_l("Aftaletype"), choices=AgreementKind.choices(),
                       validators=[DataRequired()])
    focus_sector_id = SelectField(_l("Fokusbranche"), coerce=int, validators=[Optional()])
    confirm_sector_mismatch = BooleanField(
        _l("Virksomhedens branchekode hører ikke til fokusbranchen; aftalen skal alligevel høre til den"))
    signed_on = DateField(_l("Underskrevet"), description=_l("Tom, så længe aftalen ikke er underskrevet."))
    valid_from = DateField(_l("Gælder fra"), validators=[InputRequired(message=_l("Angiv hvornår aftalen gælder fra."))])
    valid_to = DateField(_l("Gælder til og med"), description=_l("Tom for en aftale uden slutdato."))
    coordinating_centre_id = SelectField(_l("Tovholder (jobcenter)"), coerce=int, validators=[Optional()])
    contact_user_id = UserPickerField(_l("NRS-kontaktperson"))
    notes = TextAreaField(_l("Noter"), validators=[Length(max=4000), no_cpr])
    document = FileField(_l("Underskrevet aftale (PDF)"))
    #: The version the user saw; missing or not the one saved now, the save is refused as stale.
    version = VersionField()


class DeleteForm(Form):
    """Only the CSRF token: deleting is a POST from a button."""
