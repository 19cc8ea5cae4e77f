from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.encryption import Keyring
from tests.factories import create_patient


def test_keyring_round_trip_and_rotation() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    sealed_old = Keyring(old_key).encrypt("diagnosis: marker-123")

    rotated = Keyring(new_key, [old_key])
    assert rotated.decrypt(sealed_old) == "diagnosis: marker-123"
    resealed = rotated.encrypt("diagnosis: marker-123")
    assert Keyring.stored_key_id(resealed) == rotated.current_id
    assert "marker-123" not in resealed
    with pytest.raises(LookupError):
        Keyring(new_key).decrypt(sealed_old)


def test_a_stored_value_is_the_standard_base64_of_nonce_ciphertext_and_tag() -> None:
    keyring = Keyring(os.urandom(32))
    text_ = "é" * 3000  # long enough for the SIMD decoder's wide path
    sealed = keyring.encrypt(text_)
    prefix, kid, blob = sealed.split(":", 2)
    assert (prefix, kid) == ("tb1", keyring.current_id)
    # readable by any base64 decoder: 12 bytes of nonce, then the plaintext's
    # length in ciphertext, then the 16-byte tag
    assert len(base64.b64decode(blob, validate=True)) == 12 + len(text_.encode()) + 16
    assert keyring.decrypt(sealed) == text_


def test_a_damaged_stored_value_is_refused() -> None:
    keyring = Keyring(os.urandom(32))
    prefix, kid, blob = keyring.encrypt("diagnosis: marker-123").split(":", 2)
    flipped = blob[:20] + ("A" if blob[20] != "A" else "B") + blob[21:]
    for damaged in (blob[:-4], blob[:20] + "*" + blob[21:], flipped):
        with pytest.raises((ValueError, InvalidTag)):  # bad base64, bad tag
            keyring.decrypt(f"{prefix}:{kid}:{damaged}")


async def test_phone_and_birth_date_are_ciphertext_in_the_table(
    db: AsyncSession,
) -> None:
    patient = await create_patient(db, phone="+1 555 0100", date_of_birth="1980-02-03")

    raw = (
        await db.execute(
            text("SELECT phone, date_of_birth FROM patients WHERE id = :id"),
            {"id": patient.id},
        )
    ).one()

    assert raw.phone.startswith("tb1:")
    # the whole plaintext, not a fragment: a value's ~52 characters of random
    # base64 hold a given 3-character run ("555") about once in 5,000 values
    # and a 4-character one ("1980", which failed a CI run) once in 340,000;
    # a 10-character one, never in practice
    assert "+1 555 0100" not in raw.phone
    assert raw.date_of_birth.startswith("tb1:")
    assert "1980-02-03" not in raw.date_of_birth
    blob = raw.phone.split(":", 2)[2]
    assert len(base64.b64decode(blob)) > 12
