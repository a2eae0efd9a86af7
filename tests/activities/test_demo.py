"""The demo shows activities across centres and tasks both due and overdue."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.activities.models import Activity, Task
from nrs.clock import today
from nrs.demo import load_demo

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")  # 37 demo users


def test_demo_has_activities_across_centres_and_tasks_due_and_overdue(app, engine, session):
    with app.app_context(), Session(engine) as s:
        load_demo(s, seed=2016)
        s.commit()
    centres = session.execute(sa.select(sa.func.count(sa.distinct(Activity.centre_id)))).scalar_one()
    assert centres >= 5
    tasks = session.exec(select(Task).where(Task.done.is_(False))).all()
    assert any(t.due < today() for t in tasks) and any(t.due >= today() for t in tasks)
