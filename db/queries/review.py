"""Signed notes and their addenda."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NoteAddendum, SessionNotes


async def signed_notes(db: AsyncSession, session_id: uuid.UUID) -> SessionNotes | None:
    """The signed version of a session's notes, if any (at most one)."""
    stmt = (
        select(SessionNotes)
        .where(SessionNotes.session_id == session_id)
        .where(SessionNotes.signed_at.is_not(None))
        .order_by(SessionNotes.version.desc())
        .limit(1)
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def addenda_of(
    db: AsyncSession, notes_ids: list[uuid.UUID]
) -> list[NoteAddendum]:
    """The addenda of the given note versions, oldest first."""
    stmt = (
        select(NoteAddendum)
        .where(NoteAddendum.notes_id.in_(notes_ids))
        .order_by(NoteAddendum.created_at, NoteAddendum.id)
    )
    return list((await db.execute(stmt)).scalars())
