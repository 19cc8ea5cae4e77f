"""Root fields for signing notes and adding addenda."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import review as resolve
from resolvers.context import Context
from schema.types.notes import SessionNotesRow


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Sign (lock) the latest notes version; only the session's own "
        "therapist may, once. Afterwards updateSessionNotes is CONFLICT."
    )
    async def sign_session_notes(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> SessionNotesRow:
        return await resolve.sign_notes(info, session_id)

    @strawberry.mutation(
        description="Append a dated, authored addendum to the signed notes."
    )
    async def add_note_addendum(
        self, info: Info[Context, None], session_id: strawberry.ID, text: str
    ) -> SessionNotesRow:
        return await resolve.add_addendum(info, session_id, text)
