"""Resolvers of the processing pipeline: upload, transcript, retry,
re-extraction (jobs enqueued after commit) and the status subscription."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.enums import Role, SpeakerRole
from db.loaders import SessionByIdLoader
from db.models import SessionStatusEvent, TherapySession
from db.queries.pipeline import readable_session
from resolvers.audit import audit
from resolvers.context import Context
from resolvers.ids import decode_id
from services import jobs, pipeline, speakers
from services.audit import batcher
from services.errors import NotFound
from services.events import broker

Ctx = Info[Context, Any]
WRITERS = (Role.THERAPIST, Role.ADMIN)


def _enqueue(ctx: Context, session_id: uuid.UUID, stage: str) -> None:
    async def run() -> None:
        await jobs.enqueue_stage(session_id, stage)

    ctx.after_commit(run)


async def upload_session_audio(
    info: Ctx,
    patient_id: str,
    audio: Any,
    session_date: datetime | None,
    session_id: str | None,
) -> TherapySession:
    ctx = info.context
    user = ctx.require_role(*WRITERS)
    pid = decode_id(patient_id, "Patient", "patientId")
    sid = decode_id(session_id, "TherapySession", "sessionId") if session_id else None
    row = await pipeline.create_from_upload(
        ctx.session, ctx.settings, user, pid, audio, session_date, sid
    )
    audit(ctx, "CREATE", "TherapySession", row.id, row.patient_id, ["audio"])
    _enqueue(ctx, row.id, "transcribe")
    return row


async def create_session_from_transcript(
    info: Ctx, patient_id: str, transcript: str, session_date: datetime | None
) -> TherapySession:
    ctx = info.context
    user = ctx.require_role(*WRITERS)
    pid = decode_id(patient_id, "Patient", "patientId")
    row = await pipeline.create_from_transcript(
        ctx.session, user, pid, transcript, session_date
    )
    audit(ctx, "CREATE", "TherapySession", row.id, row.patient_id, ["transcript"])
    _enqueue(ctx, row.id, "extract")
    return row


async def retry_session(info: Ctx, session_id: str) -> TherapySession:
    ctx = info.context
    user = ctx.require_role(*WRITERS)
    sid = decode_id(session_id, "TherapySession", "sessionId")
    row, stage = await pipeline.retry(ctx.session, user, sid)
    audit(ctx, "UPDATE", "TherapySession", row.id, row.patient_id, ["status"])
    _enqueue(ctx, row.id, stage)
    return row


async def extract_notes(info: Ctx, session_id: str) -> TherapySession:
    ctx = info.context
    user = ctx.require_role(*WRITERS)
    sid = decode_id(session_id, "TherapySession", "sessionId")
    row = await pipeline.request_extraction(ctx.session, user, sid)
    audit(ctx, "UPDATE", "TherapySession", row.id, row.patient_id, ["notes"])
    _enqueue(ctx, row.id, "extract")
    return row


async def set_speaker_roles(
    info: Ctx, session_id: str, roles: list[tuple[str, SpeakerRole]]
) -> TherapySession:
    ctx = info.context
    user = ctx.require_role(*WRITERS)
    sid = decode_id(session_id, "TherapySession", "sessionId")
    row, transcript = await speakers.set_roles(ctx.session, user, sid, roles)
    audit(ctx, "UPDATE", "Transcript", transcript.id, row.patient_id, ["segments"])
    return row


async def swap_speaker_roles(info: Ctx, session_id: str) -> TherapySession:
    ctx = info.context
    user = ctx.require_role(*WRITERS)
    sid = decode_id(session_id, "TherapySession", "sessionId")
    row, transcript = await speakers.swap_roles(ctx.session, user, sid)
    audit(ctx, "UPDATE", "Transcript", transcript.id, row.patient_id, ["segments"])
    return row


async def session_status_changed(
    info: Ctx, session_id: str | None
) -> AsyncGenerator[SessionStatusEvent, None]:
    """Every status event of one session (or of every readable session),
    re-read per event under the subscriber's own scoping."""
    ctx = info.context
    user = ctx.require_user()
    wanted = (
        decode_id(session_id, "TherapySession", "sessionId") if session_id else None
    )
    if wanted is not None:
        async with ctx.session_factory() as db:
            if await readable_session(db, user, wanted) is None:
                raise NotFound("Session")
    async with broker.subscribe() as queue:
        try:
            while True:
                notice = await queue.get()
                if wanted is not None and notice.session_id != wanted:
                    continue
                resolved = await broker.resolve(notice, ctx.session_factory)
                if resolved is None or not resolved.readable_by(user):
                    continue
                # fresh loaders per event (no stale rows), primed with the
                # session every subscriber shares, so `session { ... }` costs
                # no query of its own
                await ctx.close()
                ctx.loader(SessionByIdLoader).prime(
                    resolved.session.id, resolved.session
                )
                yield resolved.event
                # the delivery's reads are audited in the process-wide batch
                batcher.add(ctx.session_factory, ctx.audit_events)
                ctx.audit_events = []
        finally:
            batcher.add(ctx.session_factory, ctx.audit_events)
            ctx.audit_events = []
