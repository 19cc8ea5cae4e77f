"""Dataloaders of session notes: the latest version per session, every
version, a version by id, and the addenda of a version. All are readable
exactly when their session is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from db.loaders.base import ScopedLoader, many_each, one_each
from db.models import NoteAddendum, SessionNotes, User
from db.queries.scoping import Subject, readable_session_ids


class LatestNotesBySessionIdLoader(ScopedLoader[uuid.UUID, SessionNotes | None]):
    def __init__(self, db: AsyncSession, user: User | None) -> None:
        super().__init__(db, user)
        # notes whose READ this request has already recorded (by whoever
        # primed them with a page, or by the field's first answer)
        self.audited: set[uuid.UUID] = set()

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[SessionNotes | None]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(SessionNotes)
                .where(SessionNotes.session_id.in_(readable_session_ids(user)))
                .ext(distinct_on(SessionNotes.session_id))
                .order_by(SessionNotes.session_id, SessionNotes.version.desc())
            )

        return await one_each(self, build, SessionNotes.session_id, keys)


class NoteVersionsBySessionIdLoader(ScopedLoader[uuid.UUID, list[SessionNotes]]):
    """Every version, newest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[SessionNotes]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(SessionNotes)
                .where(SessionNotes.session_id.in_(readable_session_ids(user)))
                .order_by(SessionNotes.version.desc())
            )

        return await many_each(self, build, SessionNotes.session_id, keys)


class NotesByIdLoader(ScopedLoader[uuid.UUID, SessionNotes | None]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[SessionNotes | None]:
        def build(user: Subject | None) -> Select[Any]:
            return select(SessionNotes).where(
                SessionNotes.session_id.in_(readable_session_ids(user))
            )

        return await one_each(self, build, SessionNotes.id, keys)


class AddendaByNotesIdLoader(ScopedLoader[uuid.UUID, list[NoteAddendum]]):
    """The addenda of a note version, oldest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[NoteAddendum]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(NoteAddendum)
                .where(NoteAddendum.session_id.in_(readable_session_ids(user)))
                .order_by(NoteAddendum.created_at, NoteAddendum.id)
            )

        return await many_each(self, build, NoteAddendum.notes_id, keys)
