"""The signed agreement as a PDF file under ``instance/agreements/``.

Files get a random name on disk; the user's file name is kept only as the download name, so an
upload can never choose where it is written.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from nrs.errors import DomainError

#: A signed agreement is a few pages; a scan of 10 MB is already generous.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: PDF readers accept the header anywhere in the first 1024 bytes (PDF 1.7, annex H.3).
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def storage_dir() -> Path:
    path = current_app.config["NRS"].instance_path / "agreements"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(current_app.config["NRS"].extra.get("agreement_document_max_bytes", MAX_DOCUMENT_BYTES))


def read_upload(stream, filename: str) -> Upload:
    """Read at most the limit plus one byte, so an oversized file is refused without being kept."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            _("Filen er for stor (højst %(mb)s MB).", mb=f"{limit / 1024 / 1024:.0f}"), field="document"
        )
    return Upload(filename=filename or "aftale.pdf", data=data)


def check_pdf(upload: Upload) -> None:
    if not upload.data:
        raise DomainError(_("Filen er tom."), field="document")
    if PDF_MAGIC not in upload.data[:1024]:
        raise DomainError(_("Filen er ikke en PDF. Upload den underskrevne aftale som PDF."), field="document")


def display_name(filename: str) -> str:
    """The user's file name without folders or control characters, ending in .pdf."""
    name = re.split(r"[\\/]", filename)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip() or "aftale.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name[-255:]


def store(upload: Upload) -> tuple[str, str, int]:
    """Write the PDF and return (path relative to the storage folder, display name, size)."""
    check_pdf(upload)
    relative = f"{secrets.token_hex(16)}.pdf"
    target = storage_dir() / relative
    with open(target, "xb") as fh:
        fh.write(upload.data)
    return relative, display_name(upload.filename), len(upload.data)


def path_of(relative: str) -> Path | None:
    """The stored file, or None when missing or (defensively) outside the storage folder."""
    base = storage_dir().resolve()
    target = (base / relative).resolve()
    if target.parent != base or not target.is_file():
        return None
    return target
