"""Retention queries: which stored audio is still referenced, which is stale."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import SessionStatus
from db.models import AudioFile, ExportJob, Patient, TherapySession


async def live_audio_keys(db: AsyncSession, keys: Iterable[str]) -> set[str]:
    """The keys among ``keys`` that a live audio row of an existing session uses."""
    wanted = list(keys)
    if not wanted:
        return set()
    stmt = select(AudioFile.storage_key).where(
        AudioFile.storage_key.in_(wanted),
        AudioFile.deleted_at.is_(None),
        AudioFile.session_id.is_not(None),
    )
    return set((await db.execute(stmt)).scalars())


async def live_export_keys(db: AsyncSession, keys: Iterable[str]) -> set[str]:
    """The keys among ``keys`` that an export job row still names."""
    wanted = list(keys)
    if not wanted:
        return set()
    stmt = select(ExportJob.storage_key).where(ExportJob.storage_key.in_(wanted))
    return {k for k in (await db.execute(stmt)).scalars() if k is not None}


async def unlinked_audio_ids(
    db: AsyncSession, keys: Sequence[str]
) -> dict[str, uuid.UUID]:
    """Live audio rows among ``keys`` whose session is gone (key -> row id)."""
    if not keys:
        return {}
    stmt = select(AudioFile.storage_key, AudioFile.id).where(
        AudioFile.storage_key.in_(keys),
        AudioFile.deleted_at.is_(None),
        AudioFile.session_id.is_(None),
    )
    return {k: i for k, i in (await db.execute(stmt)).all()}


async def failed_session_audio(
    db: AsyncSession,
    failed_before: datetime,
    practice_id: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """(audio id, session id, storage key) of the still-stored audio of sessions
    that FAILED before ``failed_before`` (of one practice's patients, if given)."""
    stmt = (
        select(AudioFile.id, TherapySession.id, AudioFile.storage_key)
        .join(TherapySession, TherapySession.id == AudioFile.session_id)
        .where(
            TherapySession.status == SessionStatus.FAILED,
            TherapySession.updated_at < failed_before,
            AudioFile.deleted_at.is_(None),
        )
        .order_by(TherapySession.updated_at, AudioFile.id)
    )
    if practice_id is not None:
        stmt = stmt.join(Patient, Patient.id == TherapySession.patient_id).where(
            Patient.practice_id == practice_id
        )
    return [(a, s, k) for a, s, k in (await db.execute(stmt)).all()]


async def mark_audio_deleted(
    db: AsyncSession, audio_ids: Sequence[uuid.UUID], at: datetime
) -> None:
    """Record that these files are gone; the rows stay for the record."""
    if audio_ids:
        await db.execute(
            update(AudioFile)
            .where(AudioFile.id.in_(audio_ids))
            .values(deleted_at=at)
            .execution_options(synchronize_session=False)
        )
