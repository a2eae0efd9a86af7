"""The admin area's own forms (the user form lives with the users, in ``nrs.auth.forms``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired

from nrs.forms import DateField, Form
from nrs.locking import VersionField


class CentreJoinedForm(Form):
    """The day a centre began registering in NRS; the version the admin saw (``nrs.locking``)."""

    version = VersionField()
    joined_on = DateField(_l("Med i NRS fra"), validators=[InputRequired(_l("Datoen skal udfyldes."))],
                          description=_l("Jobordrer modtaget før denne dato afvises."))
