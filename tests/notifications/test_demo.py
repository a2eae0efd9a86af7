"""The demo shows notifications of several kinds, some for coordinators, each made once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from nrs.demo import load_demo
from nrs.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")  # 37 demo users


def test_demo_has_notifications_of_several_kinds(app, engine, session):
    with app.app_context(), Session(engine) as s:
        load_demo(s, seed=2016)
        s.commit()
    kinds = set(session.execute(sa.select(Notification.kind).distinct()).scalars())
    assert {NotificationKind.help_requested, NotificationKind.agreement_ending} <= kinds, kinds
    assert len(kinds) >= 3
