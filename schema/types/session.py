"""The TherapySession type."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from db import models
from db.enums import Attendance, SessionStatus
from resolvers import sessions as resolve
from resolvers.context import Context
from schema.fastexec import repeatable
from schema.node import Node, register_node
from schema.types.notes import SessionNotesType
from schema.types.processing import ProcessingInfoType
from schema.types.status_event import SessionStatusEventType
from schema.types.transcript import AudioFileType, TranscriptType
from schema.types.user import UserType

if TYPE_CHECKING:
    from schema.types.patient import PatientType


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
    ) -> Annotated[PatientType, strawberry.lazy("schema.types.patient")]:
        return await resolve.session_patient(info, root)  # type: ignore[return-value]

    @strawberry.field
    @staticmethod
    async def therapist(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> UserType:
        return await resolve.session_therapist(info, root)  # type: ignore[return-value]

    @strawberry.field(description="Null when created from a transcript.")
    @staticmethod
    async def audio(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> AudioFileType | None:
        return await resolve.audio(info, root)  # type: ignore[return-value]

    @strawberry.field(description="Null until TRANSCRIBED; FORBIDDEN for patients.")
    @staticmethod
    async def transcript(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> TranscriptType | None:
        return await resolve.transcript(info, root)  # type: ignore[return-value]

    @strawberry.field(
        description="Models, usage and cost; null before processing; "
        "FORBIDDEN for patients."
    )
    @staticmethod
    async def processing(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> ProcessingInfoType | None:
        return await resolve.processing(info, root)  # type: ignore[return-value]

    @strawberry.field(description="The latest version; null until PROCESSED.")
    @staticmethod
    @repeatable
    def notes(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> SessionNotesType | None:
        # the notes, or an awaitable of them when not loaded yet (graphql-core
        # awaits it): a primed page needs no task per session
        return resolve.notes(info, root)  # type: ignore[return-value]

    @strawberry.field(description="Every version of the notes, newest first.")
    @staticmethod
    async def note_versions(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> list[SessionNotesType]:
        return await resolve.note_versions(info, root)  # type: ignore[return-value]

    @strawberry.field(description="The status history, oldest first.")
    @staticmethod
    async def events(
        root: strawberry.Parent[models.TherapySession], info: Info[Context, None]
    ) -> list[SessionStatusEventType]:
        return await resolve.events(info, root)  # type: ignore[return-value]

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.TherapySession | cls)


register_node("TherapySession", resolve.session_by_id, models.TherapySession)
