"""The processing pipeline: creating sessions from audio or a transcript, the
two job bodies (transcription, note extraction), retry and re-extraction.

Job bodies open their own short transactions: one to claim the stage, none
while the AI works, one to store the result with the next transition. Each is
safe to run twice: a session already past the stage is left alone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Attendance, NoteSource
from db.enums import SessionStatus as S
from db.models import AudioFile, SessionNotes, TherapySession, Transcript, User
from db.queries import pipeline as q
from db.queries import review as rq
from services import ai, alerts, consent, enqueue, storage, transcription
from services import segments as seg
from services.access import patient_or_not_found, session_or_not_found
from services.blobstore import MissingObject, StorageUnavailable
from services.errors import BadInput, Conflict
from services.extraction import Extraction, extract_notes
from services.notes_build import Built, build_content, segments_of
from services.patients import require_clinician
from services.status import RESUME_FROM, transition
from settings import Settings

log = logging.getLogger("therapybridge.pipeline")

WillRetry = Callable[[BaseException], bool]
MAX_TRANSCRIPT_CHARS = 2_000_000


async def create_from_upload(
    db: AsyncSession,
    settings: Settings,
    user: User,
    patient_id: uuid.UUID,
    upload: Any,
    session_date: datetime | None,
    session_id: uuid.UUID | None,
) -> TherapySession:
    """Store the audio and create (or fill a scheduled) session as UPLOADING;
    the caller enqueues transcription after commit."""
    require_clinician(user)  # also refused by schema/permissions.py
    await patient_or_not_found(db, user, patient_id)
    stored = await storage.save_upload(settings, upload)
    try:
        ts = await _target_session(db, user, patient_id, session_date, session_id)
        db.add(
            AudioFile(
                session_id=ts.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size_bytes=stored.size_bytes,
                storage_key=stored.key,
                file_key=stored.file_key,
                encrypted=True,
            )
        )
        await transition(db, ts, S.UPLOADING, new=session_id is None)
    except BaseException:
        try:
            await storage.delete(settings, stored.key)
        except StorageUnavailable:  # an orphan: the clean-up removes it
            log.warning("stored audio not removed after a failed upload")
        raise
    return ts


async def _target_session(
    db: AsyncSession,
    user: User,
    patient_id: uuid.UUID,
    session_date: datetime | None,
    session_id: uuid.UUID | None,
) -> TherapySession:
    if session_id is None:
        ts = TherapySession(
            id=uuid.uuid4(),
            patient_id=patient_id,
            therapist_id=user.id,
            session_date=session_date or datetime.now(UTC),
            status=S.UPLOADING,
        )
        db.add(ts)
        await db.flush()
        return ts
    locked = await session_or_not_found(db, user, session_id, lock=True)
    if locked.patient_id != patient_id:
        raise BadInput("sessionId", "The session belongs to another patient")
    if locked.status is not S.SCHEDULED:
        raise Conflict("Audio can only be added to a scheduled session", "sessionId")
    if session_date is not None:
        locked.session_date = session_date
    return locked


async def create_from_transcript(
    db: AsyncSession,
    user: User,
    patient_id: uuid.UUID,
    text: str,
    session_date: datetime | None,
) -> TherapySession:
    """A session whose transcript is given: TRANSCRIBED at once; the caller
    enqueues extraction after commit."""
    require_clinician(user)  # also refused by schema/permissions.py
    text = text.strip()
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise BadInput("transcript", "The transcript is too long")
    segments = seg.parse_pasted(text)
    if not segments:
        raise BadInput("transcript", "The transcript has no text to take notes from")
    await patient_or_not_found(db, user, patient_id)
    ts = TherapySession(
        id=uuid.uuid4(),
        patient_id=patient_id,
        therapist_id=user.id,
        session_date=session_date or datetime.now(UTC),
        status=S.TRANSCRIBED,
    )
    db.add(ts)
    await db.flush()
    db.add(Transcript(session_id=ts.id, text=text, segments=segments, model=None))
    await transition(db, ts, S.TRANSCRIBED, new=True)
    return ts


async def retry(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> tuple[TherapySession, str]:
    """Resume a FAILED session from the stage that failed; returns the session
    and the job to enqueue after commit."""
    require_clinician(user)  # also refused by schema/permissions.py
    ts = await session_or_not_found(db, user, session_id, lock=True)
    if ts.status is not S.FAILED:
        raise Conflict("Only a failed session can be retried", "sessionId")
    stage = S(ts.failed_stage) if ts.failed_stage else S.UPLOADING
    resume = RESUME_FROM.get(stage, S.UPLOADING)
    if resume is S.TRANSCRIBED and await q.transcript_of(db, ts.id) is None:
        resume = S.UPLOADING
    if resume is S.UPLOADING and await q.audio_of(db, ts.id) is None:
        raise Conflict("The session has no audio to transcribe; upload it again")
    await transition(db, ts, resume)
    return ts, "transcribe" if resume is S.UPLOADING else "extract"


async def request_extraction(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> TherapySession:
    """Re-run extraction on the stored transcript (a new notes version)."""
    require_clinician(user)  # also refused by schema/permissions.py
    ts = await session_or_not_found(db, user, session_id, lock=True)
    if ts.status not in (S.PROCESSED, S.FAILED):
        raise Conflict("The session is still being processed", "sessionId")
    if await q.transcript_of(db, ts.id) is None:
        raise Conflict("The session has no transcript yet", "sessionId")
    if await rq.signed_notes(db, ts.id) is not None:
        raise Conflict("The notes are signed and locked", "sessionId")
    await transition(db, ts, S.TRANSCRIBED)
    return ts


# --- job bodies -------------------------------------------------------------


async def _claim(
    factory: async_sessionmaker[AsyncSession], sid: uuid.UUID, start: S, working: S
) -> bool:
    """Move the session into ``working``; False when it is past the stage."""
    async with factory() as db:
        ts = await q.lock_session(db, sid)
        if ts is None:
            return False
        if ts.status is start:
            await transition(db, ts, working)
        elif ts.status is not working:
            return False  # already done, failed, or moved on: nothing to do
        await db.commit()
        return True


async def _fail(
    factory: async_sessionmaker[AsyncSession],
    sid: uuid.UUID,
    working: S,
    exc: BaseException,
    stage: ai.Stage,
) -> None:
    log.warning(
        "session processing failed: %s",
        type(exc).__name__,
        extra={"session_id": str(sid)},
    )
    async with factory() as db:
        ts = await q.lock_session(db, sid)
        if ts is not None and ts.status is working:
            await transition(db, ts, S.FAILED, error_message=ai.describe(exc, stage))
            await db.commit()


async def run_transcription(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sid: uuid.UUID,
    will_retry: WillRetry,
) -> bool:
    """UPLOADING -> TRANSCRIBING -> TRANSCRIBED; True when extraction is next."""
    if not await consent.job_may_start(factory, settings, sid, S.UPLOADING):
        return False
    if not await _claim(factory, sid, S.UPLOADING, S.TRANSCRIBING):
        return False
    try:
        async with factory() as db:
            audio = await q.audio_of(db, sid)
        if audio is None:
            raise ai.AIError(MISSING_AUDIO)
        result = await _transcribe_stored(settings, storage.FileRef.of(audio))
        if not result.text:
            raise ai.AIError("No speech was recognised in the recording.")
    except Exception as exc:
        if will_retry(exc):
            raise
        await _fail(factory, sid, S.TRANSCRIBING, exc, "transcription")
        return False
    async with factory() as db:
        ts = await q.lock_session(db, sid)
        if ts is None or ts.status is not S.TRANSCRIBING:
            return False
        transcript = await q.transcript_of(db, sid) or Transcript(session_id=sid)
        transcript.text = result.text
        transcript.segments = result.segments
        transcript.language = result.language
        transcript.model = settings.transcription_model
        db.add(transcript)
        audio = await q.audio_of(db, sid)
        if audio is not None and result.duration:
            audio.duration_seconds = result.duration
        await transition(db, ts, S.TRANSCRIBED)
        # committed with TRANSCRIBED, so no crash can leave it without its job
        await enqueue.session_stage(db, "extract", sid)
        await db.commit()
    return True


MISSING_AUDIO = "The audio file is missing from storage; upload it again."


async def _transcribe_stored(
    settings: Settings, ref: storage.FileRef
) -> transcription.TranscriptResult:
    """Decrypt the audio into a private temporary file for the AI code (which
    reads and splits a local path), chunk by chunk; removed afterwards."""
    try:
        async with storage.open_local(settings, ref) as path:
            return await transcription.transcribe(settings, path)
    except MissingObject:
        raise ai.AIError(MISSING_AUDIO) from None
    except storage.DamagedFile:
        raise ai.AIError(
            "The stored audio is damaged and cannot be read; upload it again."
        ) from None
    except StorageUnavailable:
        raise ai.AIError("File storage is unavailable.", transient=True) from None


async def run_extraction(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sid: uuid.UUID,
    will_retry: WillRetry,
) -> None:
    """TRANSCRIBED -> EXTRACTING_NOTES -> PROCESSED with a new notes version."""
    if not await consent.job_may_start(factory, settings, sid, S.TRANSCRIBED):
        return
    if not await _claim(factory, sid, S.TRANSCRIBED, S.EXTRACTING_NOTES):
        return
    try:
        async with factory() as db:
            transcript = await q.transcript_of(db, sid)
        if transcript is None or not transcript.text:
            raise ai.AIError("The session has no transcript; upload the audio again.")
        prompt = seg.for_prompt(transcript.text, list(transcript.segments or []))
        extraction = await extract_notes(settings, prompt)
    except Exception as exc:
        if will_retry(exc):
            raise
        await _fail(factory, sid, S.EXTRACTING_NOTES, exc, "extraction")
        return
    async with factory() as db:
        ts = await q.lock_session(db, sid)
        if ts is None or ts.status is not S.EXTRACTING_NOTES:
            return
        # the risk screen runs on every transcript, whatever the model said
        built = build_content(extraction.notes, segments_of(transcript))
        row = await _store_notes(db, ts, extraction, built)
        await transition(db, ts, S.PROCESSED)
        await alerts.raise_for_notes(db, ts, row, built.content)
        await db.commit()


async def _store_notes(
    db: AsyncSession, ts: TherapySession, extraction: Extraction, built: Built
) -> SessionNotes:
    notes = extraction.notes
    content = built.content
    row = SessionNotes(
        session_id=ts.id,
        version=await q.next_notes_version(db, ts.id),
        source=NoteSource.AI,
        content=content.to_dict(),
        session_mood=notes.session_mood,
        mood_trajectory=notes.mood_trajectory,
        model=extraction.model,
        prompt_version=extraction.prompt_version,
        input_tokens=extraction.input_tokens,
        output_tokens=extraction.output_tokens,
        cost_usd=extraction.cost_usd,
        unsupported_claims=built.unsupported_claims,
    )
    db.add(row)
    audio = await q.audio_of(db, ts.id)
    if ts.duration_minutes is None and audio and audio.duration_seconds:
        ts.duration_minutes = max(1, round(audio.duration_seconds / 60))
    if ts.attendance is Attendance.SCHEDULED:
        ts.attendance = Attendance.COMPLETED  # a recorded session took place
    await db.flush()
    await q.upsert_metrics(
        db,
        {
            "session_id": ts.id,
            "therapist_id": ts.therapist_id,
            "patient_id": ts.patient_id,
            "session_date": ts.session_date,
            "attendance": ts.attendance,
            "duration_minutes": ts.duration_minutes,
            "mood_score": notes.session_mood.score,
            "topics": list(content.key_topics),
            "strategies_count": len(content.strategies),
            "action_items_count": len(content.action_items),
            "has_risk_flags": bool(content.risk_flags),
        },
    )
    return row
