"""Labelled enums: every member has a Danish label and an English one, read in the user's language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from nrs.agreements.models import AgreementKind
from nrs.auth.models import Role
from nrs.campaigns.models import CampaignStatus, MismatchReason, TargetStatus
from nrs.joborders.models import Channel, ReferralOutcome, UnfilledReason
from nrs.joborders.states import JobOrderState
from nrs.mail.models import OutboxStatus
from tests.test_i18n import compiled_catalogues  # noqa: F401 - the English .mo, compiled once

LABELLED = [Role, AgreementKind, Channel, UnfilledReason, ReferralOutcome, JobOrderState, OutboxStatus,
            CampaignStatus, TargetStatus, MismatchReason]
CATALOGUE = Path(__file__).resolve().parent.parent / "nrs" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_member_has_a_danish_label_with_an_english_translation(app):
    with CATALOGUE.open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id}
    with app.test_request_context(), force_locale("da"):
        for member in (m for enum_cls in LABELLED for m in enum_cls):
            danish = str(member.label)
            assert danish != member.value, f"{member!r} shows its database value"
            assert english.get(danish), f"{danish!r} ({member!r}) has no English translation"


def test_a_label_is_read_in_the_language_of_the_moment(app):
    with app.test_request_context():
        with force_locale("en"):
            assert str(Role.admin.label) == "Steering group (administrator)"
            assert [(v, str(label)) for v, label in Channel.choices()][:2] == [
                ("shared_phone", "Shared phone line"), ("shared_mailbox", "Shared mailbox")]
        with force_locale("da"):
            assert str(JobOrderState.paused.label) == "Sat i bero"
