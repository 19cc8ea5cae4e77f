"""AES-256-GCM for PHI at rest: each value carries the id of the key that sealed it.

Stored form: ``tb1:<key id>:<base64(nonce || ciphertext || tag)>``. The key id is
the first 8 hex digits of SHA-256 of the key, so rotation can find which key
opens a value and which values still need re-encrypting.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any

import orjson
import pybase64
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

PREFIX = "tb1"


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


class Keyring:
    """The current key seals; the current and old keys open."""

    def __init__(self, current: bytes, old: Iterable[bytes] = ()) -> None:
        self.current_id = key_id(current)
        self._keys = {key_id(k): AESGCM(k) for k in (current, *old)}

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self.current_id].encrypt(
            nonce, plaintext.encode(), self.current_id.encode()
        )
        blob = pybase64.b64encode_as_string(nonce + sealed)
        return f"{PREFIX}:{self.current_id}:{blob}"

    def decrypt(self, stored: str) -> str:
        return self.decrypt_bytes(stored).decode()

    def decrypt_bytes(self, stored: str) -> bytes:
        """The plaintext's UTF-8 bytes (orjson reads them without a str)."""
        prefix, kid, blob = stored.split(":", 2)
        if prefix != PREFIX:
            raise ValueError("not an encrypted value")
        aead = self._keys.get(kid)
        if aead is None:
            raise LookupError(f"no key with id {kid} is configured")
        # SIMD base64, strict: a page of 480 notes is ~2.6 MB of base64, which
        # binascii decoded at ~300 MB/s (9 ms of a request; bench/RESULTS.md)
        raw = pybase64.b64decode(blob, validate=True)
        return aead.decrypt(raw[:12], raw[12:], kid.encode())

    @staticmethod
    def stored_key_id(stored: str) -> str:
        return stored.split(":", 2)[1]


_keyring: Keyring | None = None


def get_keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        from settings import get_settings

        s = get_settings()
        _keyring = Keyring(s.phi_key, s.old_phi_key_bytes)
    return _keyring


def set_keyring(keyring: Keyring | None) -> None:
    """Replace the process keyring (tests and key rotation)."""
    global _keyring
    _keyring = keyring


class EncryptedText(TypeDecorator[str]):
    """A string stored as AES-GCM ciphertext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else get_keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else get_keyring().decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """Any JSON value stored as AES-GCM ciphertext of its JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return get_keyring().encrypt(orjson.dumps(value).decode())

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        # orjson: a page of 500 notes decodes their JSON several times faster
        if value is None:
            return None
        return orjson.loads(get_keyring().decrypt_bytes(value))
