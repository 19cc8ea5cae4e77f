"""Root fields of the processing pipeline: upload, transcript, retry,
re-extraction, and the status subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from db.enums import SpeakerRole
from resolvers import pipeline as resolve
from resolvers.context import Context
from schema.permissions import IsClinician, requires
from schema.types.session import TherapySessionRow
from schema.types.status_event import SessionStatusEventRow


@strawberry.input(description="The role one speaker label of a transcript has.")
class SpeakerRoleInput:
    speaker: str
    role: SpeakerRole


@strawberry.type
class PipelineMutation:
    @strawberry.mutation(
        description="Correct the roles of a transcript's speaker labels "
        "(labels not named keep theirs); re-run extractNotes to use them.",
        extensions=requires(IsClinician),
    )
    async def set_speaker_roles(
        self,
        info: Info[Context, None],
        session_id: strawberry.ID,
        roles: list[SpeakerRoleInput],
    ) -> TherapySessionRow:
        pairs = [(r.speaker, r.role) for r in roles]
        return await resolve.set_speaker_roles(info, session_id, pairs)

    @strawberry.mutation(
        description="THERAPIST segments become CLIENT, and back.",
        extensions=requires(IsClinician),
    )
    async def swap_speaker_roles(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> TherapySessionRow:
        return await resolve.swap_speaker_roles(info, session_id)

    @strawberry.mutation(
        description="Multipart upload (needs an Apollo-Require-Preflight or "
        "X-Requested-With header). Returns at once with status UPLOADING; "
        "transcription and note extraction follow in the background.",
        extensions=requires(IsClinician),
    )
    async def upload_session_audio(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        audio: Upload,
        session_date: datetime | None = None,
        session_id: strawberry.ID | None = None,
    ) -> TherapySessionRow:
        return await resolve.upload_session_audio(
            info, patient_id, audio, session_date, session_id
        )

    @strawberry.mutation(
        description="Skips transcription: TRANSCRIBED, then notes.",
        extensions=requires(IsClinician),
    )
    async def create_session_from_transcript(
        self,
        info: Info[Context, None],
        patient_id: strawberry.ID,
        transcript: str,
        session_date: datetime | None = None,
    ) -> TherapySessionRow:
        return await resolve.create_session_from_transcript(
            info, patient_id, transcript, session_date
        )

    @strawberry.mutation(
        description="Re-run extraction into a new notes version.",
        extensions=requires(IsClinician),
    )
    async def extract_notes(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> TherapySessionRow:
        return await resolve.extract_notes(info, session_id)

    @strawberry.mutation(
        description="Restart a FAILED session from the failed stage.",
        extensions=requires(IsClinician),
    )
    async def retry_session(
        self, info: Info[Context, None], session_id: strawberry.ID
    ) -> TherapySessionRow:
        return await resolve.retry_session(info, session_id)


@strawberry.type
class PipelineSubscription:
    @strawberry.subscription(
        description="One session's status changes, or every session the caller "
        "may see when sessionId is omitted. With `after` (an event's cursor), "
        "every stored event after it that the caller may see comes first, "
        "oldest first, then live events, with no gap and no duplicate."
    )
    async def session_status_changed(
        self,
        info: Info[Context, None],
        session_id: strawberry.ID | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[SessionStatusEventRow, None]:
        async for event in resolve.session_status_changed(info, session_id, after):
            yield event
