"""Audio storage: type check by magic bytes, size check while copying, chunked
writes to STORAGE_DIR. An upload is never read whole into memory."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from services.errors import BadInput
from settings import Settings

CHUNK = 1024 * 1024
HEAD = 64

# (content type, extension) by the file's first bytes
FORMATS = {
    "mp3": ("audio/mpeg", ".mp3"),
    "m4a": ("audio/mp4", ".m4a"),
    "wav": ("audio/wav", ".wav"),
    "webm": ("audio/webm", ".webm"),
    "ogg": ("audio/ogg", ".ogg"),
    "flac": ("audio/flac", ".flac"),
}


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


@dataclass
class StoredAudio:
    key: str
    path: Path
    filename: str
    content_type: str
    size_bytes: int


def path_of(settings: Settings, key: str) -> Path:
    return settings.storage_path / key


async def save_upload(settings: Settings, upload: Any) -> StoredAudio:
    """Check and store an uploaded file; BAD_USER_INPUT (field ``audio``) for a
    wrong type or size, and then nothing is left behind."""
    source: BinaryIO = upload.file
    filename = str(getattr(upload, "filename", None) or "audio")[:255]
    return await asyncio.to_thread(_copy, settings, source, filename)


def _copy(settings: Settings, source: BinaryIO, filename: str) -> StoredAudio:
    source.seek(0)
    head = source.read(HEAD)
    kind = sniff(head)
    if kind is None:
        raise BadInput(
            "audio", "Unsupported file type: upload mp3, m4a, wav, webm, ogg or flac"
        )
    content_type, ext = FORMATS[kind]
    key = f"audio/{uuid.uuid4().hex}{ext}"
    target = path_of(settings, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(ext + ".part")
    limit = settings.max_upload_bytes
    size = len(head)
    try:
        with partial.open("wb") as out:
            out.write(head)
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BadInput(
                        "audio",
                        f"The file is larger than {settings.max_upload_mb} MB",
                    )
                out.write(chunk)
        partial.rename(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    return StoredAudio(key, target, filename, content_type, size)


def delete(settings: Settings, key: str) -> None:
    """Remove a stored file; a missing one is already gone."""
    with contextlib.suppress(FileNotFoundError):
        path_of(settings, key).unlink()
