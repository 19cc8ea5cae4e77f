"""Encrypting the files stored before encryption existed, in place, resumably.

Run by `therapybridge migrate` and `serve` after the schema migrations (revision
0005 added ``file_key`` and ``encrypted``). One row at a time:

1. the row gets its file key, committed before any byte is written, so a file
   encrypted under it can always be opened;
2. unless the object at the target key already starts with the encrypted
   header (the file-level marker: a run that stopped after writing), the plain
   file is streamed through the encryptor into the store (local: a temporary
   file renamed over the original; S3: a multipart upload);
3. the row is marked ``encrypted`` (exports also move from DATA_DIR/exports to
   ``exports/<id>`` in the store) and committed; the plain copy is removed
   when it is not the same file.

A run that stops anywhere leaves every file readable and the next run picks up
where it stopped. Audio rows whose file is gone are left as they are (reading
them reports the file missing, as before).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AudioFile, ExportJob
from db.queries import stored_files as q
from services import filecrypt, storage
from services.blobstore import LocalStore
from settings import Settings

log = logging.getLogger("therapybridge.storage")


@dataclass
class FileMigrationReport:
    encrypted: int = 0
    missing: int = 0


async def encrypt_plain_files(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> FileMigrationReport:
    """Encrypt every stored file that is still plain (see the module doc)."""
    report = FileMigrationReport()
    for next_row in (q.next_plain_audio, q.next_plain_export):
        after: uuid.UUID | None = None
        while True:
            async with factory() as db:
                row = await next_row(db, after)
                if row is None:
                    break
                after = row.id
                await _encrypt_row(db, settings, row, report)
    if report.encrypted or report.missing:
        log.info(
            "file encryption: %d files encrypted, %d missing",
            report.encrypted,
            report.missing,
        )
    return report


def _plain_path(settings: Settings, row: AudioFile | ExportJob) -> Path:
    assert row.storage_key is not None
    if isinstance(row, ExportJob) and not row.storage_key.startswith("exports/"):
        return settings.exports_path / row.storage_key
    return settings.storage_path / row.storage_key


def _target_key(row: AudioFile | ExportJob) -> str:
    assert row.storage_key is not None
    if isinstance(row, ExportJob) and not row.storage_key.startswith("exports/"):
        return f"{storage.EXPORTS_DIR}/{row.storage_key}"
    return row.storage_key


async def _encrypt_row(
    db: AsyncSession,
    settings: Settings,
    row: AudioFile | ExportJob,
    report: FileMigrationReport,
) -> None:
    store = storage.get_store(settings)
    if row.file_key is None:
        row.file_key = filecrypt.new_file_key()
        await db.commit()  # (1) the key is durable before it seals anything
        await q.relock(db, row)
    file_key = row.file_key
    target = _target_key(row)
    source = _plain_path(settings, row)
    head = await store.head(target, len(filecrypt.HEADER))
    if head is None or not filecrypt.is_encrypted(head):
        if not await asyncio.to_thread(source.is_file):
            report.missing += 1
            return
        enc = filecrypt.Encryptor(file_key, target)
        async with store.writer(target) as out:  # (2)
            async for plain in _read(source):
                for sealed in enc.update(plain):
                    await out.write(sealed)
            for sealed in enc.finish():
                await out.write(sealed)
    row.storage_key = target
    row.encrypted = True
    await db.commit()  # (3)
    report.encrypted += 1
    same = isinstance(store, LocalStore) and store.root / target == source
    if not same:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(source.unlink)


async def _read(path: Path) -> AsyncIterator[bytes]:
    src = await asyncio.to_thread(path.open, "rb")
    try:
        while piece := await asyncio.to_thread(src.read, filecrypt.CHUNK):
            yield piece
    finally:
        src.close()
