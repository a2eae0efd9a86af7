"""The shared mailbox: each new e-mail becomes exactly one enquiry (IMAP over TLS, ``imaplib``).

Exactly once: a message is stored first (its own transaction, keyed by the Message-ID, which is
unique in ``enquiries``) and marked on the server only after that commit. Two fetches at once
both try to store it and the unique key lets one win; a fetch that dies between storing and
marking leaves the message unmarked, and the next fetch finds the Message-ID already stored and
just marks it. A server that cannot be reached raises ``MailboxUnavailable`` before anything is
read: the messages wait on the server, so an outage delays intake and loses nothing.

Marking: the keyword ``$NRSImported`` (and ``\\Seen``); with ``NRS_IMAP_DONE_FOLDER`` the message
is then moved there. The search skips flagged messages, so a person reading the mailbox in a mail
client (which sets ``\\Seen``) does not hide a message from NRS.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import imaplib
import logging
import re
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path, PurePath

import tinyhtml5
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from nrs.companies.models import Company
from nrs.config import Settings
from nrs.cpr import contains_cpr, mask_cpr
from nrs.db import session_scope
from nrs.enquiries import services
from nrs.enquiries.models import Enquiry, EnquiryAttachment, EnquiryChannel
from nrs.storedtext import CONTROL

log = logging.getLogger(__name__)

KEYWORD = "$NRSImported"
TIMEOUT = 30
#: Messages read per fetch; the rest wait for the next run.
BATCH = 200
#: Attachments kept: the types a company sends with an enquiry (job ads, forms, pictures).
ALLOWED_TYPES = {
    "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "text/plain": ".txt",
    "text/csv": ".csv", "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
MAX_ATTACHMENTS = 10
#: Addresses at these domains say nothing about the company.
FREE_MAIL = frozenset({"gmail.com", "hotmail.com", "hotmail.dk", "outlook.com", "outlook.dk", "live.dk",
                       "yahoo.com", "yahoo.dk", "icloud.com", "me.com", "mail.dk", "jubii.dk", "sol.dk",
                       "tdcadsl.dk", "stofanet.dk", "privat.dk", "protonmail.com", "gmx.com"})
_CVR = re.compile(r"(?<!\d)(\d{2} ?\d{2} ?\d{2} ?\d{2})(?!\d)")


class MailboxUnavailable(Exception):
    """The IMAP server could not be reached or refused the login; nothing was read."""


@dataclass(frozen=True)
class FetchResult:
    read: int
    created: int
    duplicates: int


# --- reading one message -------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
          "blockquote", "pre", "hr", "section", "article", "header", "footer"}
_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}


def html_to_text(html: str) -> str:
    """The text a reader sees in an HTML mail: parsed like a browser (tinyhtml5), scripts and
    styles dropped, block elements on lines of their own. Nothing of the markup is kept."""
    root = tinyhtml5.parse(html)
    out: list[str] = []

    def walk(element) -> None:
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            if element.tail:
                out.append(element.tail)
            return
        if tag in _BLOCK:
            out.append("\n")
        if element.text:
            out.append(element.text)
        for child in element:
            walk(child)
        if tag in _BLOCK:
            out.append("\n")
        if element.tail:
            out.append(element.tail)

    walk(root)
    lines = [" ".join(line.split()) for line in "".join(out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    return html_to_text(content) if part.get_content_type() == "text/html" else content


def clean(text: str) -> str:
    """Text as NRS may store it: no control characters, line ends as ``\\n``."""
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def message_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or (a message without one) a stable one made from the message itself."""
    found = (message.get("Message-ID") or "").strip()
    return found[:998] if found else f"<sha256-{hashlib.sha256(raw).hexdigest()}@nrs.invalid>"


def match_company(session: Session, text: str, sender: str) -> Company | None:
    """A CVR number in the text that NRS knows, else the one company whose e-mail has the sender's domain."""
    cvrs = {m.group(1).replace(" ", "") for m in _CVR.finditer(text)}
    if cvrs:
        found = session.exec(select(Company).where(Company.cvr.in_(sorted(cvrs)))).all()
        if len(found) == 1:
            return found[0]
    domain = sender.rpartition("@")[2].lower().strip()
    if not domain or domain in FREE_MAIL or "%" in domain or "_" in domain:
        return None
    found = session.exec(select(Company).where(Company.email.ilike(f"%@{domain}")).limit(2)).all()
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def attachments(message: EmailMessage, max_bytes: int) -> tuple[list[Attachment], list[str]]:
    """The attachments kept, and a line for each one left out (type, size or count)."""
    kept, left_out = [], []
    for part in message.iter_attachments():
        name = clean(PurePath(part.get_filename() or "vedhaeftning").name)[:200] or "vedhaeftning"
        if contains_cpr(name):
            name = mask_cpr(name)
        ctype = part.get_content_type()
        data = part.get_payload(decode=True) or b""
        if ctype not in ALLOWED_TYPES:
            left_out.append(f"[Vedhæftet fil udeladt: {name} (filtypen {ctype} modtages ikke)]")
        elif len(data) > max_bytes:
            left_out.append(f"[Vedhæftet fil udeladt: {name} (over {max_bytes // (1024 * 1024)} MB)]")
        elif len(kept) >= MAX_ATTACHMENTS:
            left_out.append(f"[Vedhæftet fil udeladt: {name} (mere end {MAX_ATTACHMENTS} filer)]")
        else:
            kept.append(Attachment(name, ctype, data))
    return kept, left_out


def _received_at(message: EmailMessage, now: datetime) -> datetime:
    try:
        when = parsedate_to_datetime(message.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return now
    if when is None or when.tzinfo is None or when > now:
        return now
    return when


def store_message(engine: Engine, raw: bytes, *, settings: Settings, now: datetime) -> int | None:
    """Turn one raw message into an enquiry in a transaction of its own; its id, or None if known."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    mid = message_id(message, raw)
    sender_name, sender = parseaddr(str(message.get("From", "")))
    subject = clean(str(message.get("Subject", ""))).replace("\n", " ").strip()
    kept, left_out = attachments(message, settings.enquiry_attachment_max_bytes)
    text = clean("\n\n".join(p for p in (subject, body_text(message).strip(), "\n".join(left_out)) if p))
    masked = contains_cpr(text)
    if masked:
        text = mask_cpr(text)
    folder = settings.instance_path / "enquiries"
    with session_scope(engine, write=True) as session:
        if session.exec(select(Enquiry.id).where(Enquiry.message_id == mid)).first():
            return None
        company = match_company(session, text, sender)
        enquiry = services.create_enquiry(
            session, by=None, channel=EnquiryChannel.mailbox, text=text or "(tom e-mail)", settings=settings,
            company=company, company_name=sender_name or sender, cpr_masked=masked,
            contact=services.Contact(name=clean(sender_name)[:200], email=sender if "@" in sender else ""),
            received_at=_received_at(message, now), message_id=mid,
        )
        if enquiry is None:
            return None
        written = _store_files(session, folder, enquiry.id, kept)
        try:
            session.flush()
        except Exception:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return enquiry.id


def _store_files(session: Session, folder: Path, enquiry_id: int, kept: list[Attachment]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for attachment in kept:
        relative = f"{uuid.uuid4().hex}{ALLOWED_TYPES[attachment.content_type]}"
        path = folder / relative
        path.write_bytes(attachment.data)
        written.append(path)
        session.add(EnquiryAttachment(enquiry_id=enquiry_id, filename=attachment.filename,
                                      content_type=attachment.content_type, size=len(attachment.data),
                                      path=relative))
    return written


# --- the server ----------------------------------------------------------------------------------

def connect(settings: Settings) -> imaplib.IMAP4_SSL:
    """Log in over TLS with the certificate checked (``NRS_IMAP_CA_FILE`` adds a CA to trust)."""
    if not settings.imap_host:
        raise MailboxUnavailable("NRS_IMAP_HOST is not set")
    context = ssl.create_default_context(cafile=settings.imap_ca_file)
    try:
        conn = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port, ssl_context=context, timeout=TIMEOUT)
        conn.login(settings.imap_user or "", settings.imap_password or "")
        typ, _data = conn.select(_quoted(settings.imap_folder))
        if typ != "OK":
            raise MailboxUnavailable(f"folder {settings.imap_folder!r} cannot be opened")
    except (TimeoutError, OSError, ssl.SSLError, imaplib.IMAP4.error) as exc:
        raise MailboxUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return conn


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mark(conn: imaplib.IMAP4_SSL, uid: bytes, settings: Settings) -> None:
    conn.uid("STORE", uid, "+FLAGS.SILENT", f"({KEYWORD} \\Seen)")
    if settings.imap_done_folder:
        conn.uid("MOVE", uid, _quoted(settings.imap_done_folder))


def fetch_mailbox(engine: Engine, *, now: datetime, settings: Settings) -> FetchResult:
    """Read the new messages of the shared mailbox into enquiries (the scheduler job and the CLI)."""
    if not settings.imap_host:
        log.info("shared mailbox: NRS_IMAP_HOST not set, nothing to fetch")
        return FetchResult(0, 0, 0)
    conn = connect(settings)
    read = created = 0
    try:
        typ, data = conn.uid("SEARCH", None, "UNKEYWORD", KEYWORD)
        uids = data[0].split()[:BATCH] if typ == "OK" and data and data[0] else []
        for uid in uids:
            typ, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or () if isinstance(p, tuple)), None) if typ == "OK" else None
            if raw is None:
                continue  # moved or deleted by another fetch meanwhile
            read += 1
            if store_message(engine, raw, settings=settings, now=now) is not None:
                created += 1
            _mark(conn, uid, settings)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxUnavailable(f"{type(exc).__name__}: {exc}") from exc
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    log.info("shared mailbox: %d read, %d new enquiries", read, created)
    return FetchResult(read, created, read - created)
