"""The test suite's shortcuts stay in the tests: production keeps its full password cost."""

from __future__ import annotations

from argon2 import PasswordHasher, Type

from nrs.auth import passwords
from tests.conftest import PRODUCTION_HASHER, TEST_HASHER


def test_production_hashes_passwords_with_argon2id_at_full_cost():
    # The app's own hasher, as imported before the tests swapped in the cheap one.
    default = PasswordHasher()
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.time_cost >= default.time_cost
    assert PRODUCTION_HASHER.memory_cost >= default.memory_cost
    assert passwords._hasher is TEST_HASHER  # and the tests do use the cheap one


def test_cheap_test_hashes_are_still_real_argon2id():
    stored = passwords.hash_password("korrekt-hest-batteri-2016")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "korrekt-hest-batteri-2016")
    assert not passwords.verify_password(stored, "forkert-hest-batteri-2016")
    assert not passwords.verify_password(None, "korrekt-hest-batteri-2016")
