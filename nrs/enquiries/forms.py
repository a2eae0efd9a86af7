from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from nrs.activities.models import ActivityKind
from nrs.agreements.models import AgreementKind
from nrs.enquiries.models import EnquiryChannel, EnquirySubject
from nrs.forms import DateField, Form, valid_cvr, valid_email
from nrs.locking import VersionField
from nrs.pickers import CompanyPickerField


class EnquiryForm(Form):
    """A member of staff logs a call, a visit or a mail; the company by CVR number or a prospect's name."""

    channel = SelectField(_l("Kanal"), choices=EnquiryChannel.choices(), validators=[DataRequired()])
    subject = SelectField(_l("Emne"), choices=EnquirySubject.choices(), validators=[DataRequired()])
    cvr = CompanyPickerField(_l("Virksomhed"), unknown_cvr=True)
    company_name = StringField(_l("Virksomhedens navn"), validators=[Length(max=300)],
                               description=_l("Kun hvis virksomheden ikke er i NRS."))
    contact_name = StringField(_l("Kontaktperson"), validators=[Length(max=200)])
    contact_phone = StringField(_l("Telefon"), validators=[Length(max=40)])
    contact_email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254), valid_email])
    text = TextAreaField(_l("Henvendelsen"), validators=[DataRequired(message=_l("Skriv hvad henvendelsen drejer sig om.")),
                                                         Length(max=20000)])


class StepForm(Form):
    """Take, answer or close: the CSRF token and the version seen."""

    version = VersionField()


class RerouteForm(Form):
    centre = SelectField(_l("Send til jobcenter"), validators=[Optional()])
    cvr = StringField(_l("Virksomhedens CVR-nummer"), validators=[Optional(), valid_cvr],
                      description=_l("Udfyld for at knytte henvendelsen til en virksomhed i NRS."))
    reason = StringField(_l("Begrundelse"), validators=[DataRequired(message=_l("Skriv hvorfor henvendelsen sendes videre.")),
                                                        Length(max=500)])
    version = VersionField()


class OrderForm(Form):
    """The job order made from an enquiry; its date, channel and note come from the enquiry."""

    title = StringField(_l("Stillingsbetegnelse"), validators=[DataRequired(message=_l("Stillingsbetegnelse skal udfyldes.")),
                                                               Length(max=200)])
    positions = IntegerField(_l("Antal stillinger"), default=1,
                             validators=[DataRequired(message=_l("Antal stillinger skal være mindst 1.")),
                                         NumberRange(min=1, max=999)])
    requirements = TextAreaField(_l("Krav og ønsker"), validators=[Length(max=4000)])
    version = VersionField()


class AgreementForm(Form):
    """The agreement (not yet signed) an enquiry led to; the notes point back at the enquiry."""

    kind = SelectField(_l("Aftaletype"), choices=AgreementKind.choices(), validators=[DataRequired()])
    focus_sector_id = SelectField(_l("Fokusbranche"), coerce=int, validators=[Optional()])
    valid_from = DateField(_l("Gælder fra"), validators=[InputRequired(message=_l("Angiv hvornår aftalen gælder fra."))])
    version = VersionField()


def _optional_id(value):
    """A select's "—" (empty or 0) is no choice; anything not a whole number is no choice either."""
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


class ActivityForm(Form):
    """The activity an enquiry becomes: pre-filled from it (kind from the channel, text as summary)."""

    kind = SelectField(_l("Type"), choices=ActivityKind.choices(), validators=[DataRequired()])
    day = DateField(_l("Dato"), validators=[InputRequired(message=_l("Skriv datoen for kontakten."))])
    contact = SelectField(_l("Kontaktperson hos virksomheden"), coerce=_optional_id, validate_choice=True)
    summary = TextAreaField(_l("Resumé"), validators=[DataRequired(message=_l("Skriv et resumé af kontakten.")),
                                                      Length(max=2000)])
    outcome = StringField(_l("Resultat"), validators=[Length(max=1000)])
    version = VersionField()


class ContactForm(Form):
    """/kontakt: a company writes to NRS without logging in. ``website`` is the honeypot."""

    cvr = StringField(_l("CVR-nummer (valgfrit)"), validators=[Optional(), valid_cvr])
    company_name = StringField(_l("Virksomhedens navn"), validators=[
        DataRequired(message=_l("Skriv virksomhedens navn.")), Length(max=300)])
    contact_name = StringField(_l("Dit navn"), validators=[DataRequired(message=_l("Skriv dit navn.")),
                                                           Length(max=200)])
    email = StringField(_l("E-mail"), validators=[DataRequired(message=_l("Skriv din e-mailadresse.")),
                                                  Length(max=254), valid_email])
    phone = StringField(_l("Telefon"), validators=[Length(max=40)])
    message = TextAreaField(_l("Hvad kan vi hjælpe med?"), validators=[
        DataRequired(message=_l("Skriv hvad henvendelsen drejer sig om.")), Length(max=5000)])
    #: Hidden from people; a form robot fills it in.
    website = StringField(_l("Lad dette felt stå tomt"), validators=[Optional()])
