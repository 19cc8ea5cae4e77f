"""Encryption of stored files: one random key per file, AES-256-GCM in
independently authenticated chunks of 1 MiB.

Object layout::

    header   b"TBF1" || chunk size (4 bytes, big-endian)
    chunk i  nonce (12) || ciphertext (<= chunk size) || tag (16)

Every chunk's associated data is ``header || storage key || i (8 bytes) ||
last (1 byte)``: a chunk moved to another position or another object, a
dropped final chunk (truncation at a boundary) or a cut inside a chunk all fail
authentication. Every chunk but the last holds exactly the chunk size; the
writer flags the final chunk (1 byte to a full chunk; empty only for an empty
file), so a reader knows the end was reached.

The file key is wrapped by the PHI keyring (``db.encryption``) and kept in the
file's row, so rotating the PHI key rewraps file keys without touching files.
Both classes are incremental and hold at most about two chunks: neither an
upload nor a download is ever whole in memory.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TBF1"
CHUNK = 1024 * 1024
NONCE = 12
TAG = 16
OVERHEAD = NONCE + TAG
HEADER = MAGIC + struct.pack(">I", CHUNK)


class DamagedFile(Exception):
    """A stored object failed authentication, is truncated or is not ours.

    The message names the storage key and the chunk, never any content."""


def new_file_key() -> str:
    """A fresh 256-bit file key, base64 (the text sealed into the row)."""
    return base64.b64encode(os.urandom(32)).decode()


def _aad(key: str, index: int, last: bool) -> bytes:
    return HEADER + key.encode() + struct.pack(">QB", index, 1 if last else 0)


def is_encrypted(head: bytes) -> bool:
    """Whether the first bytes of an object are our header (the file-level
    marker the migration uses to skip files it already encrypted)."""
    return head[: len(HEADER)] == HEADER


def ciphertext_size(plain: int) -> int:
    return len(HEADER) + max(1, -(-plain // CHUNK)) * OVERHEAD + plain


def plaintext_size(stored: int) -> int:
    """The plaintext length of an object of ``stored`` bytes (Content-Length)."""
    body = stored - len(HEADER)
    chunks = -(-body // (CHUNK + OVERHEAD))
    return body - chunks * OVERHEAD


class Encryptor:
    """Feed plaintext, get ciphertext pieces; ``finish()`` writes the last chunk."""

    def __init__(self, file_key: str, storage_key: str) -> None:
        self._aead = AESGCM(base64.b64decode(file_key))
        self._key = storage_key
        self._index = 0
        self._buf = bytearray()
        self._started = False

    def _seal(self, plain: bytes, last: bool) -> bytes:
        nonce = os.urandom(NONCE)
        sealed = self._aead.encrypt(nonce, plain, _aad(self._key, self._index, last))
        self._index += 1
        return nonce + sealed

    def update(self, data: bytes) -> Iterator[bytes]:
        if not self._started:
            self._started = True
            yield HEADER
        self._buf += data
        # a full chunk is sealed only once more bytes follow it: the final
        # chunk must carry the last flag
        while len(self._buf) > CHUNK:
            chunk = bytes(self._buf[:CHUNK])
            del self._buf[:CHUNK]
            yield self._seal(chunk, last=False)

    def finish(self) -> Iterator[bytes]:
        if not self._started:
            self._started = True
            yield HEADER
        chunk = bytes(self._buf)
        self._buf.clear()
        yield self._seal(chunk, last=True)


class Decryptor:
    """Feed ciphertext pieces, get authenticated plaintext chunks."""

    def __init__(self, file_key: str, storage_key: str) -> None:
        self._aead = AESGCM(base64.b64decode(file_key))
        self._key = storage_key
        self._index = 0
        self._buf = bytearray()
        self._header = False
        self._done = False

    def _damaged(self, why: str) -> DamagedFile:
        return DamagedFile(f"{self._key}: {why} (chunk {self._index})")

    def _open(self, sealed: bytes, last: bool) -> bytes:
        try:
            plain = self._aead.decrypt(
                sealed[:NONCE], sealed[NONCE:], _aad(self._key, self._index, last)
            )
        except InvalidTag:
            raise self._damaged("authentication failed") from None
        self._index += 1
        return plain

    def update(self, data: bytes) -> Iterator[bytes]:
        if self._done and data:
            raise self._damaged("bytes after the last chunk")
        self._buf += data
        if not self._header:
            if len(self._buf) < len(HEADER):
                return
            if bytes(self._buf[: len(HEADER)]) != HEADER:
                raise self._damaged("not an encrypted object")
            del self._buf[: len(HEADER)]
            self._header = True
        full = CHUNK + OVERHEAD
        # a chunk is opened as a middle one only once bytes follow it; the
        # final one (up to a full chunk) waits for finish() and the last flag
        while len(self._buf) > full:
            sealed = bytes(self._buf[:full])
            del self._buf[:full]
            yield self._open(sealed, last=False)

    def finish(self) -> Iterator[bytes]:
        """The final chunk; DamagedFile when the object was cut short."""
        if self._done:
            return
        if not self._header:
            raise self._damaged("truncated header")
        rest = bytes(self._buf)
        self._buf.clear()
        if len(rest) < OVERHEAD:
            raise self._damaged("truncated: the final chunk is missing")
        # opened as the last chunk: a file cut after a full middle chunk fails
        plain = self._open(rest, last=True)
        self._done = True
        yield plain


def encrypt_all(file_key: str, storage_key: str, data: bytes) -> bytes:
    """The whole object for ``data`` (small inputs and tests)."""
    enc = Encryptor(file_key, storage_key)
    return b"".join([*enc.update(data), *enc.finish()])


def decrypt_all(file_key: str, storage_key: str, blob: bytes) -> bytes:
    dec = Decryptor(file_key, storage_key)
    return b"".join([*dec.update(blob), *dec.finish()])
