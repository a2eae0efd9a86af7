"""The settings form: a delivery per kind of notification, and the Monday mail on or off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import ValidationError

from nrs.forms import Form
from nrs.notifications.models import Delivery, NotificationKind


def one_of_deliveries(form, field) -> None:
    if field.data not in Delivery.__members__:
        raise ValidationError(_l("Vælg straks, daglig oversigt eller fra."))


def _delivery(kind: NotificationKind) -> SelectField:
    return SelectField(kind.label, choices=Delivery.choices(), validate_choice=False,
                       validators=[one_of_deliveries])


class SettingsForm(Form):
    order_for_my_company = _delivery(NotificationKind.order_for_my_company)
    company_moved_to_me = _delivery(NotificationKind.company_moved_to_me)
    help_requested = _delivery(NotificationKind.help_requested)
    agreement_ending = _delivery(NotificationKind.agreement_ending)
    task_assigned = _delivery(NotificationKind.task_assigned)
    task_due = _delivery(NotificationKind.task_due)
    enquiry_received = _delivery(NotificationKind.enquiry_received)
    weekly_email = BooleanField(_l("Mandagsmail med ugens status og mine opgaver"))

    def kinds(self):
        return [self[k.value] for k in NotificationKind]
