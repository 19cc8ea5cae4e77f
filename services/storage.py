"""Stored files (session audio, exported reports): the one interface that
upload, transcription, exports, downloads and clean-up use.

Every file is encrypted before it reaches the store (``services.filecrypt``:
its own random key, AES-256-GCM per 1 MiB chunk) and read back chunk by chunk;
the file key is sealed by the PHI key in the file's row (``file_key``). The
bytes live in a local directory or an S3-compatible bucket
(``services.blobstore``, STORAGE_BACKEND). Uploads are type-checked by magic
bytes and size-checked while they stream; nothing is ever whole in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from services import filecrypt
from services.blobstore import BlobStore, MissingObject, StorageUnavailable, open_store
from services.errors import AppError, BadInput
from settings import Settings

log = logging.getLogger("therapybridge.storage")

CHUNK = filecrypt.CHUNK
HEAD = 64
AUDIO_DIR = "audio"
EXPORTS_DIR = "exports"

# (content type, extension) by the file's first bytes
FORMATS = {
    "mp3": ("audio/mpeg", ".mp3"),
    "m4a": ("audio/mp4", ".m4a"),
    "wav": ("audio/wav", ".wav"),
    "webm": ("audio/webm", ".webm"),
    "ogg": ("audio/ogg", ".ogg"),
    "flac": ("audio/flac", ".flac"),
}


class StorageError(AppError):
    """The store is unreachable: the request fails whole, nothing is kept."""

    def __init__(self) -> None:
        super().__init__(
            "File storage is unavailable; nothing was stored. Try again later.",
            reason="storage",
        )


class DamagedFile(AppError):
    """A stored file failed authentication or is truncated (logged with its key)."""

    def __init__(self) -> None:
        super().__init__("A stored file is damaged and cannot be read.")


def sniff(head: bytes) -> str | None:
    """The audio format named by the magic bytes, or None."""
    if head.startswith(b"ID3"):
        return "mp3"
    # an MPEG audio frame header: 11 sync bits, then a valid layer
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        if head[1] & 0x06:
            return "mp3"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    return None


@dataclass(frozen=True)
class FileRef:
    """What reading a stored file needs, from its row: the storage key, the
    (unsealed) file key, and whether the object is encrypted yet (False only
    for files written before encryption, until ``therapybridge migrate``)."""

    key: str
    file_key: str | None
    encrypted: bool = True

    @classmethod
    def of(cls, row: Any) -> FileRef:
        return cls(row.storage_key, row.file_key, bool(row.encrypted))


@dataclass
class StoredAudio:
    key: str
    filename: str
    content_type: str
    size_bytes: int
    file_key: str


_stores: dict[tuple[Any, ...], BlobStore] = {}


def get_store(settings: Settings) -> BlobStore:
    """The process's store for these settings (one S3 connection pool)."""
    ident = (
        settings.storage_backend,
        str(settings.storage_path),
        settings.s3_endpoint_url,
        settings.s3_bucket,
    )
    store = _stores.get(ident)
    if store is None:
        store = _stores[ident] = open_store(settings)
    return store


async def close_stores() -> None:
    for store in list(_stores.values()):
        await store.close()
    _stores.clear()


async def check(settings: Settings) -> bool:
    """Whether the store answers (``/health``)."""
    try:
        await get_store(settings).check()
    except StorageUnavailable as exc:
        log.warning("storage unavailable: %s", exc)
        return False
    return True


# --- writing ------------------------------------------------------------------


async def save_upload(settings: Settings, upload: Any) -> StoredAudio:
    """Check, encrypt and store an uploaded file; BAD_USER_INPUT (field
    ``audio``) for a wrong type or size. On any failure nothing is left."""
    source: BinaryIO = upload.file
    filename = str(getattr(upload, "filename", None) or "audio")[:255]
    await asyncio.to_thread(source.seek, 0)
    head = await asyncio.to_thread(source.read, HEAD)
    kind = sniff(head)
    if kind is None:
        raise BadInput(
            "audio", "Unsupported file type: upload mp3, m4a, wav, webm, ogg or flac"
        )
    content_type, ext = FORMATS[kind]
    key = f"{AUDIO_DIR}/{uuid.uuid4().hex}{ext}"
    limit = settings.max_upload_bytes
    size = 0

    async def pieces() -> AsyncIterator[bytes]:
        nonlocal size
        chunk = head
        while chunk:
            size += len(chunk)
            if size > limit:
                raise BadInput(
                    "audio", f"The file is larger than {settings.max_upload_mb} MB"
                )
            yield chunk
            chunk = await asyncio.to_thread(source.read, CHUNK)

    file_key = await _write(settings, key, pieces())
    return StoredAudio(key, filename, content_type, size, file_key)


async def put_bytes(settings: Settings, key: str, data: bytes) -> str:
    """Store a rendered file under ``key``; its file key (for the row)."""

    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(data), CHUNK):
            yield data[i : i + CHUNK]

    return await _write(settings, key, pieces())


async def _write(settings: Settings, key: str, pieces: AsyncIterator[bytes]) -> str:
    file_key = filecrypt.new_file_key()
    enc = filecrypt.Encryptor(file_key, key)
    try:
        async with get_store(settings).writer(key) as out:
            async for plain in pieces:
                for sealed in enc.update(plain):
                    await out.write(sealed)
            for sealed in enc.finish():
                await out.write(sealed)
    except StorageUnavailable as exc:
        log.warning("storage write failed: %s", exc)
        raise StorageError() from None
    return file_key


async def delete(settings: Settings, key: str) -> None:
    """Remove a stored file; a missing one is already gone."""
    await get_store(settings).delete(key)


# --- reading ------------------------------------------------------------------


async def read(settings: Settings, ref: FileRef) -> AsyncIterator[bytes]:
    """The file's plaintext, chunk by chunk, each authenticated before it is
    yielded. MissingObject when there is no object; DamagedFile (logged with
    the key and the chunk) when it fails authentication or ends early."""
    store = get_store(settings)
    if not ref.encrypted:
        # written before encryption; `therapybridge migrate` encrypts it
        async for piece in store.read(ref.key):
            yield piece
        return
    if ref.file_key is None:
        log.error("stored file has no key: %s", ref.key)
        raise DamagedFile()
    dec = filecrypt.Decryptor(ref.file_key, ref.key)
    try:
        async for sealed in store.read(ref.key):
            for plain in dec.update(sealed):
                yield plain
        for plain in dec.finish():
            yield plain
    except filecrypt.DamagedFile as exc:
        log.error("stored file is damaged: %s", exc)
        raise DamagedFile() from None


@dataclass
class Opened:
    """A file whose first chunk has been read and authenticated."""

    first: bytes
    rest: AsyncIterator[bytes]
    size: int | None

    async def body(self) -> AsyncIterator[bytes]:
        yield self.first
        async for piece in self.rest:
            yield piece


async def open_stream(settings: Settings, ref: FileRef) -> Opened | None:
    """The file ready to stream (None when it is missing): the first chunk is
    checked before the caller sends any header."""
    size = await get_store(settings).size(ref.key)
    if size is None:
        return None
    stream = read(settings, ref)
    try:
        first = await anext(stream)
    except StopAsyncIteration:
        first = b""
    except MissingObject:
        return None
    plain = filecrypt.plaintext_size(size) if ref.encrypted else size
    return Opened(first, stream, plain)


@contextlib.asynccontextmanager
async def open_local(settings: Settings, ref: FileRef) -> AsyncIterator[Path]:
    """The file decrypted into a private temporary file (for ffmpeg and the
    transcription upload), removed when the block ends. MissingObject or
    DamagedFile before the block runs."""
    suffix = Path(ref.key).suffix
    tmp = Path(tempfile.mkdtemp(prefix="tb-audio-"))  # mode 0700
    path = tmp / f"audio{suffix}"
    try:
        out = await asyncio.to_thread(path.open, "wb")
        try:
            async for plain in read(settings, ref):
                await asyncio.to_thread(out.write, plain)
        finally:
            out.close()
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(os.unlink, path)
        with contextlib.suppress(OSError):
            await asyncio.to_thread(os.rmdir, tmp)
