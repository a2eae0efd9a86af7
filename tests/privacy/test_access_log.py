from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlmodel import select

from nrs.privacy.models import AccessLogEntry
from tests.privacy.helpers import make_log_row


def _entry(session, user, *, action="read", entity_type="referral", entity_id=1, at=None, criterion=""):
    return make_log_row(session, user=user, action=action, entity_type=entity_type, entity_id=entity_id, at=at,
                        criterion=criterion)


def test_admin_searches_the_log_by_user_action_entity_and_dates(client, login_as, make_user, session):
    login_as("admin")
    staff = make_user(name="Karen Konsulent")
    other = make_user(name="Ole Anden", centre=210)
    _entry(session, staff, action="search", criterion="truckfører", at=datetime(2016, 3, 1, 10, tzinfo=UTC))
    _entry(session, staff, action="read", entity_id=42, at=datetime(2016, 4, 1, 10, tzinfo=UTC))
    _entry(session, other, action="export", entity_type="job_order", entity_id=7,
           at=datetime(2016, 4, 2, 10, tzinfo=UTC))

    page = client.get("/persondata/adgangslog?user=karen").get_data(as_text=True)
    assert "truckfører" in page and "Ole Anden" not in page

    page = client.get("/persondata/adgangslog?action=export").get_data(as_text=True)
    assert "Ole Anden" in page and "Karen Konsulent" not in page

    page = client.get("/persondata/adgangslog?entity_type=referral&entity_id=42").get_data(as_text=True)
    assert "Karen Konsulent" in page and "truckfører" not in page

    page = client.get("/persondata/adgangslog?date_from=01-04-2016&date_to=01-04-2016").get_data(as_text=True)
    assert "Karen Konsulent" in page and "Ole Anden" not in page and "truckfører" not in page


def test_bad_date_in_search_is_a_400_with_the_message(client, login_as):
    login_as("admin")
    response = client.get("/persondata/adgangslog?date_from=32-13-2016")
    assert response.status_code == 400
    assert "dd-mm-åååå" in response.get_data(as_text=True)


def test_export_is_a_csv_of_the_search_and_is_itself_logged(client, login_as, make_user, session):
    admin = login_as("admin")
    staff = make_user(name="Karen Konsulent")
    _entry(session, staff, action="search", criterion="=HYPERLINK(\"x\")")
    response = client.get("/persondata/adgangslog/eksport?fmt=csv&action=search")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Tid (UTC)"
    assert rows[1][1] == "Karen Konsulent"
    assert rows[1][7] == "'=HYPERLINK(\"x\")"  # a formula stays text in Excel
    logged = session.exec(select(AccessLogEntry).where(AccessLogEntry.user_id == admin.id)).all()
    assert [(e.action, e.entity_type, e.criterion) for e in logged] == [("export", "access_log", "action=search")]


def test_only_admins_see_the_log(client, login_as):
    login_as("coordinator")
    assert client.get("/persondata/adgangslog").status_code == 403
    assert client.get("/persondata/adgangslog/eksport").status_code == 403
