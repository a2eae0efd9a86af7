from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify

from nrs.db import db_session
from nrs.security import access

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@access("public")
def healthz():
    """For the load balancer: 200 only when the database answers."""
    try:
        db_session().execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return jsonify(status="error", database=str(exc.__class__.__name__)), 503
    return jsonify(status="ok", database="ok")
