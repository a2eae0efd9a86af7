from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from nrs.auth.models import Role
from nrs.forms import Form, valid_email


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Adgangskode"), validators=[DataRequired(), Length(max=1000)])


class PasswordChangeForm(Form):
    current = PasswordField(_l("Nuværende adgangskode"), validators=[DataRequired(), Length(max=1000)])
    new = PasswordField(_l("Ny adgangskode"), validators=[DataRequired(), Length(max=1000)])


class SecondFactorForm(Form):
    code = StringField(_l("Kode fra din autentificeringsapp eller en gendannelseskode"),
                       validators=[DataRequired(), Length(max=40)])


class TotpEnrolForm(Form):
    code = StringField(_l("Kode fra din autentificeringsapp"), validators=[DataRequired(), Length(max=40)])


class SsoForm(Form):
    email = EmailField(_l("Arbejds-e-mail"), validators=[DataRequired(), Length(max=254)])


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetForm(Form):
    new = PasswordField(_l("Ny adgangskode"), validators=[DataRequired(), Length(max=1000)])
    repeat = PasswordField(_l("Gentag ny adgangskode"),
                           validators=[DataRequired(), EqualTo("new", message=_l("De to adgangskoder er ikke ens."))])


class UserForm(Form):
    """Create or edit a user in the admin area; the centre choices are filled in by the view."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), valid_email])
    name = StringField(_l("Navn"), validators=[DataRequired(), Length(max=120)])
    centre = SelectField(_l("Jobcenter"), coerce=int, validators=[DataRequired()])
    role = SelectField(
        _l("Rolle"),
        choices=Role.choices(),
        validators=[DataRequired()],
    )
    weekly_email = BooleanField(_l("Modtager ugentlig statusmail"), default=True)
    active = BooleanField(_l("Aktiv"), default=True)
    password = PasswordField(_l("Adgangskode (mindst 12 tegn)"), validators=[Length(max=1000)])
