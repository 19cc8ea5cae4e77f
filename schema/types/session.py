"""The TherapySession type."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import Attendance, SessionStatus
from resolvers import sessions as resolve
from resolvers.context import Context
from schema.fastexec import repeatable
from schema.node import Node, register_node
from schema.rows import OrAwaitable
from schema.types.notes import SessionNotesRow
from schema.types.processing import ProcessingInfoRow
from schema.types.status_event import SessionStatusEventRow
from schema.types.transcript import AudioFileRow, TranscriptRow
from schema.types.user import UserRow

if TYPE_CHECKING:
    from schema.types.patient import PatientRow


@strawberry.type(name="TherapySession")
class TherapySessionType(Node):
    session_date: datetime
    duration_minutes: int | None
    attendance: Attendance
    status: SessionStatus
    error_message: str | None
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    @staticmethod
    async def patient(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> Annotated[PatientRow, strawberry.lazy("schema.types.patient")]:
        return await resolve.session_patient(info, root)

    @strawberry.field
    @staticmethod
    async def therapist(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> UserRow:
        return await resolve.session_therapist(info, root)

    @strawberry.field(description="Null when created from a transcript.")
    @staticmethod
    async def audio(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> AudioFileRow | None:
        return await resolve.audio(info, root)

    @strawberry.field(description="Null until TRANSCRIBED; FORBIDDEN for patients.")
    @staticmethod
    async def transcript(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> TranscriptRow | None:
        return await resolve.transcript(info, root)

    @strawberry.field(
        description="Models, usage and cost; null before processing; "
        "FORBIDDEN for patients."
    )
    @staticmethod
    async def processing(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> ProcessingInfoRow | None:
        return await resolve.processing(info, root)

    @strawberry.field(description="The latest version; null until PROCESSED.")
    @staticmethod
    @repeatable
    def notes(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> OrAwaitable[SessionNotesRow | None]:
        # the notes, or an awaitable of them when not loaded yet (graphql-core
        # awaits it): a primed page needs no task per session
        return resolve.notes(info, root)

    @strawberry.field(description="Every version of the notes, newest first.")
    @staticmethod
    async def note_versions(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> list[SessionNotesRow]:
        return await resolve.note_versions(info, root)

    @strawberry.field(description="The status history, oldest first.")
    @staticmethod
    async def events(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> list[SessionStatusEventRow]:
        return await resolve.events(info, root)

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.TherapySession | cls)


if TYPE_CHECKING:  # the row a TherapySession is read from (schema/rows.py)
    TherapySessionRow: TypeAlias = models.TherapySession
else:
    TherapySessionRow = TherapySessionType


register_node("TherapySession", resolve.session_by_id, models.TherapySession)
