"""``nrs.db.write_apart``: a row that must survive the request's rollback, on SQLite without self-deadlock.

On SQLite a writing request holds the one write lock; a second writer opened inside it would wait
for itself and fail after the busy timeout. ``write_apart`` runs the work once the request's own
transaction has ended, so the row is kept although the request answers 400 and rolls back.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from nrs.db import db_session, write_apart
from nrs.security import access, csrf


def test_a_row_written_apart_survives_the_requests_rollback(app, session):
    from nrs.privacy.services import log_access

    @app.post("/_test/refused")
    @access("public")
    @csrf.exempt
    def refused():
        s = db_session()
        s.execute(sa.text("SELECT 1"))  # the request's own (writing) transaction is open
        write_apart(lambda apart: log_access(apart, user=None, action="read", entity_type="test"))
        s.execute(sa.text("UPDATE job_centres SET name = name || '!'"))  # rolled back with the 400
        abort(400)

    response = app.test_client().post("/_test/refused")
    assert response.status_code == 400
    assert session.execute(sa.text("SELECT count(*) FROM access_log WHERE entity_type = 'test'")).scalar_one() == 1
    assert session.execute(sa.text("SELECT count(*) FROM job_centres WHERE name LIKE '%!'")).scalar_one() == 0
