"""Rows whose stored files are not encrypted yet (the file migration)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AudioFile, ExportJob


async def next_plain_audio(
    db: AsyncSession, after: uuid.UUID | None
) -> AudioFile | None:
    """The next live audio row (by id) whose file is still plain, locked; a
    row another process holds is skipped (it is being encrypted there)."""
    stmt = select(AudioFile).where(
        AudioFile.encrypted.is_(False), AudioFile.deleted_at.is_(None)
    )
    if after is not None:
        stmt = stmt.where(AudioFile.id > after)
    stmt = stmt.order_by(AudioFile.id).limit(1).with_for_update(skip_locked=True)
    return (await db.execute(stmt)).scalar_one_or_none()


async def next_plain_export(
    db: AsyncSession, after: uuid.UUID | None
) -> ExportJob | None:
    """The next export row with a file that is still plain, locked."""
    stmt = select(ExportJob).where(
        ExportJob.encrypted.is_(False), ExportJob.storage_key.is_not(None)
    )
    if after is not None:
        stmt = stmt.where(ExportJob.id > after)
    stmt = stmt.order_by(ExportJob.id).limit(1).with_for_update(skip_locked=True)
    return (await db.execute(stmt)).scalar_one_or_none()


async def relock(db: AsyncSession, row: AudioFile | ExportJob) -> None:
    """Take the row's lock again after a commit released it."""
    await db.execute(
        select(type(row).id).where(type(row).id == row.id).with_for_update()
    )
