from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from nrs.audit.words import ACCESS_WORDS
from nrs.forms import DateField, Form
from nrs.privacy.services import ACTIONS


class AccessLogSearchForm(Form):
    """The admin's search of the access log (GET, so no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    user = StringField(_l("Bruger (navn, e-mail eller id)"), validators=[Optional(), Length(max=254)])
    date_from = DateField(_l("Fra dato"), validators=[Optional()])
    date_to = DateField(_l("Til dato"), validators=[Optional()])
    action = SelectField(_l("Handling"), choices=[("", _l("Alle"))] + [(a, ACCESS_WORDS[a]) for a in sorted(ACTIONS)],
                         validators=[Optional()])
    entity_type = StringField(_l("Type"), validators=[Optional(), Length(max=40)])
    entity_id = StringField(_l("Id"), validators=[Optional(), Length(max=40)])


class EraseContactForm(Form):
    reason = TextAreaField(
        _l("Begrundelse (fx dato for anmodningen)"), validators=[DataRequired(), Length(max=500)],
        description=_l("Skriv ikke personens navn eller kontaktoplysninger her."),
    )
