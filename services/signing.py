"""Signed notes: signing locks the latest version (the legal record); after
that the note changes only by dated, authored addenda."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.models import NoteAddendum, SessionNotes, User
from db.queries import pipeline as pq
from db.queries import review as q
from db.queries import sessions as sq
from services import validation as v
from services.errors import Conflict, Forbidden
from services.sessions import writable_session

MAX_ADDENDUM = 20_000


async def sign_notes(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> SessionNotes:
    """Sign the latest version; only the session's own therapist may."""
    row = await writable_session(db, user, session_id)
    if row.therapist_id != user.id:
        # the caller can see the session (a co-therapist): say why, not NOT_FOUND
        raise Forbidden("Only the session's own therapist can sign its notes")
    await pq.lock_session(db, row.id)  # one signature or edit at a time
    notes = await sq.latest_notes(db, row.id, lock=True)
    if notes is None:
        raise Conflict("The session has no notes to sign yet", "sessionId")
    if notes.signed_at is not None or await q.signed_notes(db, row.id):
        raise Conflict("The notes are already signed", "sessionId")
    notes.signed_at = utcnow()
    notes.signed_by_id = user.id
    await db.flush()
    return notes


async def add_addendum(
    db: AsyncSession, user: User, session_id: uuid.UUID, text: str
) -> SessionNotes:
    """Append an addendum to the signed notes; returns the signed version."""
    clean = v.text("text", text or "", MAX_ADDENDUM, required=True)
    row = await writable_session(db, user, session_id)
    await pq.lock_session(db, row.id)
    notes = await q.signed_notes(db, row.id)
    if notes is None:
        raise Conflict("Only signed notes take addenda; edit the notes instead")
    db.add(
        NoteAddendum(
            session_id=row.id, notes_id=notes.id, author_id=user.id, text=clean
        )
    )
    await db.flush()
    return notes
