"""Root fields for therapy sessions and the caller's export jobs."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from db.enums import Attendance, SessionStatus
from resolvers import exports, writes
from resolvers import sessions as resolve
from resolvers.context import Context
from schema.connection import Connection
from schema.graph_inputs import ScheduleSessionInput, UpdateNotesInput
from schema.permissions import IsAuthenticated, requires
from schema.types.export_job import ExportJobRow
from schema.types.notes import SessionNotesRow
from schema.types.patient import FromArg
from schema.types.session import TherapySessionRow


@strawberry.type
class SessionQuery:
    @strawberry.field(
        description="A session the caller may see, or null.",
        extensions=requires(IsAuthenticated),
    )
    async def session(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> TherapySessionRow | None:
        return await resolve.session(info, id)

    @strawberry.field(
        description="Newest first (session date, then id).",
        extensions=requires(IsAuthenticated),
    )
    async def sessions(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        patient_id: strawberry.ID | None = None,
        status: SessionStatus | None = None,
        from_: FromArg = None,
        to: datetime | None = None,
    ) -> Connection[TherapySessionRow]:
        page, counter = await resolve.sessions(
            info, first, after, last, before, patient_id, status, from_, to
        )
        return Connection.from_page(page, counter)

    @strawberry.field(
        description="The caller's own export jobs, newest first.",
        extensions=requires(IsAuthenticated),
    )
    async def export_jobs(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ExportJobRow]:
        page, counter = await exports.export_jobs(info, first, after)
        return Connection.from_page(page, counter)


@strawberry.type
class SessionMutation:
    @strawberry.mutation(description="A SCHEDULED session with one of your patients.")
    async def schedule_session(
        self, info: Info[Context, None], input: ScheduleSessionInput
    ) -> TherapySessionRow:
        return await writes.schedule_session(
            info, input.patient_id, input.session_date, input.duration_minutes
        )

    @strawberry.mutation
    async def set_attendance(
        self,
        info: Info[Context, None],
        session_id: strawberry.ID,
        attendance: Attendance,
    ) -> TherapySessionRow:
        return await writes.set_attendance(info, session_id, attendance)

    @strawberry.mutation(description="Deletes the session and its stored audio.")
    async def delete_session(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> bool:
        return await writes.delete_session(info, session_id)

    @strawberry.mutation(description="A new version, source THERAPIST.")
    async def update_session_notes(
        self,
        info: Info[Context, None],
        session_id: strawberry.ID,
        input: UpdateNotesInput,
    ) -> SessionNotesRow:
        return await writes.update_notes(info, session_id, input.changes())
