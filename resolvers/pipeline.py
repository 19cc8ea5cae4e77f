"""Resolvers of the processing pipeline: upload, transcript, retry,
re-extraction, speaker roles (services/pipeline_writes.py: each job queued in
the request's own transaction) and the status subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.enums import SpeakerRole
from db.models import SessionStatusEvent, TherapySession
from resolvers.context import Context
from resolvers.ids import decode_event_cursor, decode_id
from services import pipeline_writes, session_reads
from services.access import session_or_not_found
from services.audit import batcher
from services.events import broker, replay

Ctx = Info[Context, Any]


async def upload_session_audio(
    info: Ctx,
    patient_id: str,
    audio: Any,
    session_date: datetime | None,
    session_id: str | None,
) -> TherapySession:
    pid = decode_id(patient_id, "Patient", "patientId")
    sid = decode_id(session_id, "TherapySession", "sessionId") if session_id else None
    return await pipeline_writes.upload_session_audio(
        info.context, pid, audio, session_date, sid
    )


async def create_session_from_transcript(
    info: Ctx, patient_id: str, transcript: str, session_date: datetime | None
) -> TherapySession:
    pid = decode_id(patient_id, "Patient", "patientId")
    return await pipeline_writes.create_session_from_transcript(
        info.context, pid, transcript, session_date
    )


async def retry_session(info: Ctx, session_id: str) -> TherapySession:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await pipeline_writes.retry_session(info.context, sid)


async def extract_notes(info: Ctx, session_id: str) -> TherapySession:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await pipeline_writes.extract_notes(info.context, sid)


async def set_speaker_roles(
    info: Ctx, session_id: str, roles: list[tuple[str, SpeakerRole]]
) -> TherapySession:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await pipeline_writes.set_speaker_roles(info.context, sid, roles)


async def swap_speaker_roles(info: Ctx, session_id: str) -> TherapySession:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await pipeline_writes.swap_speaker_roles(info.context, sid)


async def session_status_changed(
    info: Ctx, session_id: str | None, after: str | None = None
) -> AsyncGenerator[SessionStatusEvent, None]:
    """Every status event of one session (or of every readable session),
    re-read per event under the subscriber's own scoping; with ``after``, the
    stored events after that cursor first."""
    ctx = info.context
    user = ctx.require_user()
    wanted = (
        decode_id(session_id, "TherapySession", "sessionId") if session_id else None
    )
    after_id = decode_event_cursor(after) if after is not None else None
    if wanted is not None:
        async with ctx.session_factory() as db:
            await session_or_not_found(db, user, wanted)
    # live first, the replay second: an event committed after this line is
    # queued here, one committed before it is in the replay; the queue's
    # copies of replayed events are skipped by id (ids commit in order)
    async with broker.subscribe() as queue:
        last = 0
        try:
            if after_id is not None:
                async for event, ts in replay(
                    ctx.session_factory, user, after_id, wanted
                ):
                    last = event.id
                    yield await _deliver(ctx, event, ts)
                    _audit_delivery(ctx)
            while True:
                notice = await queue.get()
                if notice.event_id <= last:
                    continue
                if wanted is not None and notice.session_id != wanted:
                    continue
                resolved = await broker.resolve_patiently(notice, ctx.session_factory)
                if resolved is None or not resolved.readable_by(user):
                    continue
                yield await _deliver(ctx, resolved.event, resolved.session)
                _audit_delivery(ctx)
        finally:
            _audit_delivery(ctx)


async def _deliver(
    ctx: Context, event: SessionStatusEvent, ts: TherapySession
) -> SessionStatusEvent:
    # fresh loaders per event (no stale rows), primed with the session every
    # subscriber shares, so `session { ... }` costs no query of its own
    await ctx.close()
    session_reads.prime_session(ctx, ts)
    return event


def _audit_delivery(ctx: Context) -> None:
    # the delivery's reads are audited in the process-wide batch
    batcher.add(ctx.session_factory, ctx.audit_events)
    ctx.audit_events = []
