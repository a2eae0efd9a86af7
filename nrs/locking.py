"""Optimistic locking: one mechanism for every versioned model.

A versioned model maps its ``version`` column as SQLAlchemy's ``version_id_col``
(``__mapper_args__ = VERSIONED``): every UPDATE of the row says ``WHERE version = <the version
this transaction loaded>`` and bumps it, so of two transactions that loaded the same version only
the first to write succeeds, on SQLite and on PostgreSQL, even when both read at the same moment.
An edit form carries the version its user saw; ``check`` refuses a form without one, or with an
older one, before anything is written. ``saving`` turns SQLAlchemy's ``StaleDataError`` into the
one "changed meanwhile by …" refusal; no other module handles it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session
from wtforms import HiddenField
from wtforms.utils import unset_value

from nrs.audit.models import AuditEvent
from nrs.auth.models import User
from nrs.errors import StaleObjectError

#: ``__mapper_args__ = VERSIONED`` on a model with a ``version`` column.
VERSIONED = declared_attr(lambda cls: {"version_id_col": cls.__table__.c.version})

#: Per table: the audit log's entity name (who saved last) and what the user is told.
REFUSALS = {
    "companies": ("company", _l("Virksomheden er blevet ændret i mellemtiden (af %(who)s). "
                                "Her er den nye udgave; ret igen.")),
    "contacts": ("company", _l("Kontakten er blevet ændret i mellemtiden (af %(who)s). "
                               "Her er den nye udgave; ret igen.")),
    "agreements": ("agreement", _l("Aftalen er blevet ændret i mellemtiden (af %(who)s). "
                                   "Her er den nye udgave.")),
    "job_orders": ("job_order", _l("Jobordren er blevet ændret i mellemtiden (af %(who)s). "
                                   "Se den aktuelle status og prøv igen.")),
    "campaigns": ("campaign", _l("Kampagnen er blevet ændret i mellemtiden (af %(who)s). Prøv igen.")),
    "campaign_targets": ("campaign_target", _l("Virksomheden på listen er blevet ændret i mellemtiden "
                                               "(af %(who)s). Prøv igen.")),
    "focus_sectors": ("focus_sector", _l("Fokusbranchen er blevet ændret i mellemtiden (af %(who)s). "
                                         "Her er den nye udgave; ret igen.")),
    "activities": ("activity", _l("Aktiviteten er blevet ændret i mellemtiden (af %(who)s). "
                                  "Her er den nye udgave; ret igen.")),
    "tasks": ("task", _l("Opgaven er blevet ændret i mellemtiden (af %(who)s). Prøv igen.")),
    "enquiries": ("enquiry", _l("Henvendelsen er blevet ændret i mellemtiden (af %(who)s). "
                                "Se den aktuelle status og prøv igen.")),
    "job_centres": ("job_centre", _l("Jobcentret er blevet ændret i mellemtiden (af %(who)s). "
                                     "Her er den nye udgave; ret igen.")),
}


class VersionField(HiddenField):
    """The version the user saw, in every edit form: taken only from what was submitted.

    A plain field falls back to the object's own version when the form leaves it out, which
    would let a form without a version skip the check; here a missing one stays missing.
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is not None and not self.raw_data:
            self.data = None

    def populate_obj(self, obj, name) -> None:
        """Never written to the object: the flush bumps the version."""


def check(session: Session, obj, seen) -> None:
    """The version the user's form carried must be the one loaded now; a missing one counts as old."""
    try:
        seen = int(seen)
    except (TypeError, ValueError):
        seen = None
    if seen is None or seen != obj.version:
        raise stale(session, obj)


@contextmanager
def saving(session: Session, obj) -> Iterator[None]:
    """Run the writes to ``obj`` and flush them; if another transaction saved it first, refuse.

    The failed flush has ended the transaction (nothing of it is kept), so it is rolled back
    here before the winner's name is read; the caller starts again from a fresh read.
    """
    try:
        yield
        session.flush()
    except StaleDataError:
        session.rollback()
        raise stale(session, obj) from None


def stale(session: Session, obj) -> StaleObjectError:
    entity, message = REFUSALS[obj.__tablename__]
    entity_id = sa.inspect(obj).identity[0]
    who = _last_editor(session, entity, entity_id, getattr(obj, "company_id", None))
    return StaleObjectError(str(message) % {"who": who}, changed_by=who)


def _last_editor(session: Session, entity: str, entity_id, company_id) -> str:
    """The name on the newest audit event of the record (a contact's events are its company's)."""
    ident = company_id if entity == "company" and company_id is not None else entity_id
    row = session.execute(
        sa.select(AuditEvent.user_id, User.name).outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == entity, AuditEvent.entity_id == str(ident))
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if row is None or row.user_id is None:
        return _("systemet")
    return row.name or _("ukendt")
