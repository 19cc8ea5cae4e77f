"""Password hashing and policy (pure functions)."""

from __future__ import annotations

import bcrypt
import pytest

from services.errors import BadInput
from services.passwords import (
    check_password_policy,
    dummy_verify,
    hash_password,
    verify_password,
)


def test_new_hashes_are_argon2id_and_verify() -> None:
    hashed = hash_password("Correct-Horse-9!")

    assert hashed.startswith("$argon2id$")
    assert verify_password("Correct-Horse-9!", hashed) == (True, None)
    assert verify_password("correct-horse-9!", hashed) == (False, None)


def test_bcrypt_verifies_and_asks_for_an_argon2_rehash() -> None:
    legacy = bcrypt.hashpw(b"Legacy-Passw0rd!", bcrypt.gensalt(4)).decode()

    ok, new_hash = verify_password("Legacy-Passw0rd!", legacy)

    assert ok is True
    assert new_hash is not None
    assert new_hash.startswith("$argon2id$")
    assert verify_password("Legacy-Passw0rd!", new_hash) == (True, None)


def test_garbage_hash_does_not_verify() -> None:
    assert verify_password("anything", "not-a-hash") == (False, None)


def test_dummy_verify_runs_a_real_hash_check() -> None:
    dummy_verify("whatever")  # must not raise, and costs one argon2 verification


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt-Pass!",
        "alllowercase-123!",
        "ALLUPPERCASE-123!",
        "No-Digits-Here!!",
        "NoSpecial12345",
        "A1!" + "a" * 130,
    ],
)
def test_policy_refuses(password: str) -> None:
    with pytest.raises(BadInput) as caught:
        check_password_policy(password)

    assert caught.value.field == "password"


@pytest.mark.parametrize(
    "password", ["Correct-Horse-9", "Zz9 zzzzzzzzz", "Äpfel-und-Birnen-1"]
)
def test_policy_accepts(password: str) -> None:
    check_password_policy(password)
