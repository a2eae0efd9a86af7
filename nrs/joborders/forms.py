"""Forms for logging, editing and moving job orders, and for referrals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from nrs.forms import DateField, Form, SubForm, no_cpr
from nrs.inputs import whole_number
from nrs.joborders import occupations
from nrs.joborders.models import Channel, PositionOutcomeKind, ReferralOutcome, UnfilledReason
from nrs.locking import VersionField
from nrs.pickers import CompanyPickerField, UserPickerField


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return whole_number(value)  # a number no row can have is a field error, not a driver overflow


class VersionedForm(Form):
    #: The version the user saw; the save is refused if someone changed the order since (or it is missing).
    version = VersionField()


class JobOrderForm(VersionedForm):
    cvr = CompanyPickerField(_l("Virksomhed"), required=True)
    title = StringField(_l("Stilling"), validators=[InputRequired(_l("Stillingsbetegnelse skal udfyldes.")),
                                                    Length(max=200), no_cpr])
    positions = IntegerField(_l("Antal stillinger"), default=1,
                             validators=[InputRequired(_l("Skriv et helt tal.")), NumberRange(min=1, max=10_000)])
    place_of_work = StringField(_l("Arbejdssted"), validators=[Optional(), Length(max=300), no_cpr])
    received_on = DateField(_l("Modtaget"), validators=[InputRequired(_l("Modtagelsesdato skal udfyldes."))])
    channel = SelectField(_l("Kanal"), choices=[], default=Channel.shared_phone.value)
    start_on = DateField(_l("Tiltrædelse"), validators=[Optional()])
    deadline_on = DateField(_l("Frist"), validators=[Optional()])
    requirements = TextAreaField(_l("Krav"), validators=[Optional(), Length(max=4000), no_cpr])
    lead_centre_id = SelectField(_l("Ansvarligt jobcenter"), coerce=_int_or_none, validate_choice=False)
    lead_reason = StringField(_l("Begrundelse for andet ansvarligt jobcenter"),
                              validators=[Optional(), Length(max=500), no_cpr])
    contact_user_id = UserPickerField(_l("NRS-kontakt"))
    agreement_id = SelectField(_l("Aftale"), coerce=_int_or_none, validate_choice=False)
    occupational_group = SelectField(_l("Faggruppe (DISCO-08)"), choices=[], validate_choice=False,
                                     description=_l("Forslag ud fra stillingsbetegnelsen; ret det, hvis det ikke passer."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000), no_cpr])
    jobnet_number = StringField(_l("Jobnet-/DFDG-nummer"), validators=[Optional(), Length(max=40)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = Channel.choices()
        self.occupational_group.choices = occupations.choices()


class EditJobOrderForm(JobOrderForm):
    cvr = None


class StepForm(VersionedForm):
    on_date = DateField(_l("Dato"), validators=[InputRequired(_l("Datoen skal udfyldes."))])
    reason = StringField(_l("Bemærkning"), validators=[Optional(), Length(max=1000), no_cpr])


class ReopenForm(StepForm):
    reason = StringField(_l("Begrundelse"), validators=[InputRequired(_l("Skriv hvorfor jobordren genåbnes.")),
                                                        Length(max=1000), no_cpr])


class UndoOutcomeForm(StepForm):
    """Undo one position's outcome recorded in error: which one (the live outcomes), and why."""

    outcome_id = SelectField(_l("Udfald"), coerce=int, validate_choice=False,
                             validators=[InputRequired(_l("Vælg hvilket udfald der fortrydes."))])
    reason = StringField(_l("Begrundelse"), validators=[InputRequired(_l("Skriv hvorfor udfaldet fortrydes.")),
                                                        Length(max=1000), no_cpr])


class CorrectionForm(VersionedForm):
    """Cancel or restore an order registered in error: the reason, and a second step (the confirm box)."""

    reason = TextAreaField(_l("Begrundelse"), validators=[InputRequired(_l("Skriv en begrundelse.")),
                                                          Length(max=1000), no_cpr])
    confirm = BooleanField(_l("Ja, jeg er sikker"), validators=[InputRequired(_l("Bekræft ændringen."))])


class WithdrawReferralForm(Form):
    reason = TextAreaField(_l("Begrundelse"), validators=[InputRequired(_l("Skriv en begrundelse.")),
                                                          Length(max=1000), no_cpr])
    confirm = BooleanField(_l("Ja, træk henvisningen tilbage"), validators=[InputRequired(_l("Bekræft ændringen."))])


class HireEntry(SubForm):
    centre_id = SelectField(_l("Kandidat fra jobcenter"), coerce=_int_or_none, validate_choice=False)
    hired_on = DateField(_l("Ansat den"), validators=[Optional()])
    referral_id = HiddenField(filters=[_int_or_none])


def _remaining_choices():
    """What happened to the positions not hired: the existing list of reasons ("other" needs words: use
    the positions form)."""
    return [("", "—")] + [(r.value, r.label) for r in UnfilledReason if r != UnfilledReason.other]


class FillForm(StepForm):
    hires = FieldList(FormField(HireEntry), min_entries=3, max_entries=20)
    remaining = SelectField(_l("De øvrige stillinger"), choices=[], validate_choice=False,
                            description=_l("Hvad skete der med de stillinger, der ikke blev besat her?"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.remaining.choices = _remaining_choices()


class PositionEntry(SubForm):
    """One open position: what happened to it (blank: still open)."""

    kind = SelectField(_l("Udfald"), choices=[], validate_choice=False)
    centre_id = SelectField(_l("Kandidat fra jobcenter"), coerce=_int_or_none, validate_choice=False)
    hired_on = DateField(_l("Ansat den"), validators=[Optional()])
    start_on = DateField(_l("Første arbejdsdag"), validators=[Optional()])
    home_municipality_code = IntegerField(_l("Bopælskommune (kode)"),
                                          validators=[Optional(), NumberRange(min=101, max=999)])
    unfilled_reason = SelectField(_l("Årsag (ikke besat)"), choices=[], validate_choice=False)
    text = StringField(_l("Uddybning"), validators=[Optional(), Length(max=500), no_cpr])
    referral_id = HiddenField(filters=[_int_or_none])


class PositionsForm(StepForm):
    """What happened to each open position, in one step; the order closes when none is left open."""

    positions = FieldList(FormField(PositionEntry), min_entries=1, max_entries=200)

    def prepare(self, centre_choices) -> PositionsForm:
        kinds = [("", _l("Stadig åben"))] + PositionOutcomeKind.choices()
        reasons = [("", "—")] + UnfilledReason.choices()
        for entry in self.positions.entries:
            entry.kind.choices = kinds
            entry.centre_id.choices = centre_choices
            entry.unfilled_reason.choices = reasons
        return self


class UnfilledForm(StepForm):
    unfilled_reason = SelectField(_l("Årsag"), choices=[], validators=[InputRequired()])
    unfilled_reason_text = StringField(_l("Uddybning"), validators=[Optional(), Length(max=500), no_cpr])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unfilled_reason.choices = UnfilledReason.choices()


class ReferralForm(Form):
    referred_on = DateField(_l("Henvist den"), validators=[InputRequired(_l("Datoen skal udfyldes."))])
    case_reference = StringField(
        _l("Jobcentrets sagsnummer"), validators=[Optional(), Length(max=60), no_cpr],
        description=_l("Jobcentrets eget sagsnummer. Aldrig et CPR-nummer."),
    )
    outcome = SelectField(_l("Status"), choices=[])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000), no_cpr])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = ReferralOutcome.choices()


class ReferralOutcomeForm(Form):
    outcome = SelectField(_l("Status"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = ReferralOutcome.choices()


class HelpForm(Form):
    message = StringField(_l("Besked til de andre jobcentre"), validators=[Optional(), Length(max=1000), no_cpr])
