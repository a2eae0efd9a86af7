"""Password hashing (argon2id) and the password rule: 12 characters, not a common password."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 12
_hasher = PasswordHasher()
#: Verified against when the e-mail is unknown, so both failures cost the same time.
DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


@cache
def _common() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is too weak, in Danish, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Adgangskoden skal være mindst %(n)d tegn.", n=MIN_LENGTH)
    low = password.lower()
    if low in _common() or len(set(low)) <= 3:
        return _("Adgangskoden er for almindelig. Vælg en anden.")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in low:
        return _("Adgangskoden må ikke indeholde din e-mailadresse.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
