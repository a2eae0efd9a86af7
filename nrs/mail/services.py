"""Queue e-mail with the work that produced it; send it after commit, retrying with back-off.

Delivery guarantee: at least once, almost exactly once. A sender claims rows in a short
transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so two
senders never hold the same row; it talks to the SMTP server outside any transaction and then
marks each row sent or schedules a retry. The one window for a duplicate is a sender that dies
after the server accepted a message and before the row is marked sent: when its claim expires
(``CLAIM_SECONDS``) another sender sends that message again. The Message-ID is derived from the
idempotency key, so a receiving system that de-duplicates on it shows the copy once.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.clock import utcnow
from nrs.config import Settings
from nrs.db import is_sqlite
from nrs.errors import DomainError
from nrs.mail.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: After this many failed attempts a message is marked failed and waits for an admin to resend
#: it. With the back-off below the last attempt comes about 5 hours after the first, so an SMTP
#: server that is down for an hour only delays mail.
MAX_ATTEMPTS = 10
#: How long a sender may hold a claimed row before another sender may take it over.
CLAIM_SECONDS = 300
SMTP_TIMEOUT = 30


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, never more than an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def enqueue(
    session: Session,
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    now: datetime | None = None,
    force: bool = False,
    attachment: tuple[str, bytes] | None = None,
    unsubscribe: str | None = None,
) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; None if ``key`` is already queued.

    ``force`` queues it again under ``key#2``, ``key#3`` … so the history of sends stays visible.
    """
    now = now or utcnow()
    existing = session.exec(
        select(OutboxMessage.idempotency_key).where(
            sa.or_(
                OutboxMessage.idempotency_key == key,
                OutboxMessage.idempotency_key.like(_like_prefix(key) + "#%", escape="\\"),
            )
        )
    ).all()
    if existing:
        if not force:
            return None
        key = f"{key}#{_next_suffix(key, existing)}"
    message = OutboxMessage(
        idempotency_key=key,
        kind=key.split(":", 1)[0],
        recipient=to,
        subject=subject,
        body_text=text,
        body_html=html,
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
        unsubscribe_url=unsubscribe or None,
        next_attempt_at=now,
        created_at=now,
    )
    # A concurrent writer may have queued the same key meanwhile: the unique key decides, by an
    # insert that does nothing on a conflict (no savepoint, so it also works outside a transaction).
    insert = sqlite.insert if is_sqlite(session) else postgresql.insert
    values = {k: v for k, v in message.model_dump().items() if k != "id"}
    new_id = session.execute(insert(OutboxMessage).values(**values)
                             .on_conflict_do_nothing(index_elements=["idempotency_key"])
                             .returning(OutboxMessage.id)).scalar_one_or_none()
    return None if new_id is None else session.get(OutboxMessage, new_id)


def _like_prefix(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _next_suffix(key: str, existing: list[str]) -> int:
    numbers = [1]
    for k in existing:
        tail = k[len(key) + 1 :] if k.startswith(key + "#") else ""
        if tail.isdigit():
            numbers.append(int(tail))
    return max(numbers) + 1


def resend(session: Session, message: OutboxMessage, *, by, now: datetime | None = None) -> None:
    """Give a failed message a fresh set of attempts, starting now."""
    if message.status != OutboxStatus.failed:
        raise DomainError("Kun fejlede beskeder kan sendes igen.")
    now = now or utcnow()
    message.status = OutboxStatus.pending
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_by = None
    message.claimed_until = None
    session.add(message)
    session.flush()
    record(session, by=by, entity="outbox", entity_id=message.id, action="resend",
           changes={"status": ["failed", "pending"]}, note=message.idempotency_key)


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.failed)


def send_due(engine: Engine, *, now: datetime | None = None, settings: Settings,
             limit: int = 100) -> SendReport:
    """Send every message that is due, up to ``limit``; safe to run in many processes at once."""
    now = now or utcnow()
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    report = SendReport()
    claimed = _claim(engine, now=now, token=token, limit=limit)
    if not claimed:
        return report
    smtp = None
    try:
        for message in claimed:
            try:
                if smtp is None:
                    smtp = _connect(settings)
                smtp.send_message(_build(message, settings))
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("e-mail %s to %s not sent: %s", message.idempotency_key,
                            message.recipient, error)
                status = _mark_failed(engine, message, token=token, now=now, error=error)
                (report.failed if status == OutboxStatus.failed else report.retrying).append(
                    message.idempotency_key)
                if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
                    smtp = _close(smtp)  # reconnect for the next message
            else:
                _mark_sent(engine, message, token=token, now=now)
                report.sent.append(message.idempotency_key)
    finally:
        _close(smtp)
    return report


def _claim(engine: Engine, *, now: datetime, token: str, limit: int) -> list[OutboxMessage]:
    """Take due rows in one short transaction so that no other sender takes them too."""
    t = OutboxMessage
    due = sa.or_(
        sa.and_(t.status == OutboxStatus.pending, t.next_attempt_at <= now),
        # a sender that died while holding rows: take them over once its claim has run out
        sa.and_(t.status == OutboxStatus.sending, t.claimed_until < now),
    )
    stmt = select(t).where(due).order_by(t.next_attempt_at, t.id).limit(limit)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.info["begin_immediate"] = True  # take SQLite's write lock before reading
        else:
            stmt = stmt.with_for_update(skip_locked=True)
        with Session(bind=conn, expire_on_commit=False) as session:
            rows = list(session.exec(stmt))
            for row in rows:
                row.status = OutboxStatus.sending
                row.attempts += 1
                row.claimed_by = token
                row.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
                session.add(row)
            session.commit()
            for row in rows:
                session.expunge(row)
    return rows


def _finish(engine: Engine, message: OutboxMessage, *, token: str, values: dict) -> bool:
    """Write the outcome, but only while we still hold the claim."""
    with engine.begin() as conn:
        result = conn.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == token)
            .values(claimed_by=None, claimed_until=None, **values)
        )
    if result.rowcount != 1:
        log.warning("e-mail %s: claim lost before its outcome was written", message.idempotency_key)
    return result.rowcount == 1


def _mark_sent(engine: Engine, message: OutboxMessage, *, token: str, now: datetime) -> None:
    _finish(engine, message, token=token,
            values={"status": OutboxStatus.sent, "sent_at": now, "last_error": None})


def _mark_failed(engine: Engine, message: OutboxMessage, *, token: str, now: datetime,
                 error: str) -> OutboxStatus:
    if message.attempts >= MAX_ATTEMPTS:
        status = OutboxStatus.failed
        values = {"status": status, "last_error": error}
    else:
        status = OutboxStatus.pending
        values = {"status": status, "last_error": error,
                  "next_attempt_at": now + backoff(message.attempts)}
    _finish(engine, message, token=token, values=values)
    return status


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return None


def _build(message: OutboxMessage, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    name, address = parseaddr(settings.mail_from)
    msg["From"] = formataddr((name, address)) if name else address
    msg["To"] = message.recipient
    msg["Subject"] = message.subject
    # Stable per idempotency key: a copy from the duplicate window carries the same Message-ID.
    domain = address.rsplit("@", 1)[-1] if "@" in address else "nrs.local"
    msg["Message-ID"] = f"<{uuid.uuid5(uuid.NAMESPACE_URL, message.idempotency_key).hex}@{domain}>"
    msg["Date"] = format_datetime(message.created_at)
    if message.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to it in one click.
        msg["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(message.body_text)
    if message.body_html:
        msg.add_alternative(message.body_html, subtype="html")
    if message.attachment is not None:
        kind = mimetypes.guess_type(message.attachment_name or "")[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        msg.add_attachment(message.attachment, maintype=maintype, subtype=subtype, filename=message.attachment_name)
    return msg
