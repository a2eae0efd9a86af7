"""The Jobnet / DFDG order number: optional, searchable in the order list, unique when given."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session

from nrs.errors import DomainError
from nrs.forms import contains_cpr
from nrs.joborders.models import JobOrder

_JOBNET = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{0,39}")


def clean_jobnet_number(session: Session, value: str | None, *, order_id: int | None = None) -> str | None:
    """The Jobnet / DFDG number as stored: trimmed, None when blank; refused when malformed or taken.

    The partial unique index on ``jobnet_number`` backs this on both databases (two saves at once)."""
    value = (value or "").strip()
    if not value:
        return None
    if not _JOBNET.fullmatch(value) or contains_cpr(value):
        raise DomainError(_("Jobnet-/DFDG-nummeret må kun indeholde bogstaver, tal, - og / (højst 40 tegn)."),
                          field="jobnet_number")
    taken = session.execute(sa.select(JobOrder.id).where(JobOrder.jobnet_number == value,
                                                         *((JobOrder.id != order_id,) if order_id else ()))).first()
    if taken is not None:
        raise DomainError(_("Jobnet-/DFDG-nummeret %(n)s er allerede brugt på jobordre %(id)s.", n=value, id=taken[0]),
                          field="jobnet_number")
    return value
