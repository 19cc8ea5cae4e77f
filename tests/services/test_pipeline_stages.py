"""The status machine, the job bodies and the pipeline mutations in-process
(real PostgreSQL; the AI boundary is the local fake OpenAI server)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import SessionStatus
from db.models import SessionNotes, SessionStatusEvent, TherapySession
from resolvers.ids import encode_id
from services import pipeline
from services.ai import NOT_CONFIGURED
from services.status import IllegalTransition, transition
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_patient, create_session, create_user, token_for
from tests.services.conftest import never

FROM_TRANSCRIPT = """
mutation Make($patientId: ID!, $text: String!) {
  createSessionFromTranscript(patientId: $patientId, transcript: $text) {
    id status
  }
}
"""
RETRY = "mutation R($id: ID!) { retrySession(sessionId: $id) { status } }"
EXTRACT = "mutation E($id: ID!) { extractNotes(sessionId: $id) { status } }"


# the fake OpenAI server and `ai_settings` come from tests/services/conftest.py


async def _statuses(db: AsyncSession, sid: uuid.UUID) -> list[str]:
    rows = await db.execute(
        select(SessionStatusEvent.status)
        .where(SessionStatusEvent.session_id == sid)
        .order_by(SessionStatusEvent.id)
    )
    return [s.value for s in rows.scalars()]


async def test_transcript_session_is_extracted_and_re_extracted_into_version_2(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    gql: GQL,
) -> None:
    # given a session created from a transcript
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(ai_settings, therapist)
    body = await gql(
        FROM_TRANSCRIPT,
        {"patientId": encode_id("Patient", patient.id), "text": "I slept badly."},
        token=token,
    )
    created = body["data"]["createSessionFromTranscript"]
    sid = (await db.execute(select(TherapySession.id))).scalar_one()

    # when extraction runs, then extractNotes asks for it again
    await pipeline.run_extraction(session_factory, ai_settings, sid, never)
    again = await gql(EXTRACT, {"id": created["id"]}, token=token)
    await pipeline.run_extraction(session_factory, ai_settings, sid, never)

    # then the notes have two versions and the history is complete
    versions = (
        await db.execute(
            select(SessionNotes.version).where(SessionNotes.session_id == sid)
        )
    ).scalars()
    assert created["status"] == "TRANSCRIBED"
    assert again["data"]["extractNotes"]["status"] == "TRANSCRIBED"
    assert sorted(versions) == [1, 2]
    assert await _statuses(db, sid) == [
        "TRANSCRIBED",
        "EXTRACTING_NOTES",
        "PROCESSED",
        "TRANSCRIBED",
        "EXTRACTING_NOTES",
        "PROCESSED",
    ]


async def test_without_ai_provider_the_session_fails_and_retry_resumes_it(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    ai_settings: Settings,
    gql: GQL,
) -> None:
    # given a transcript session and no AI provider configured
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(settings, therapist)
    body = await gql(
        FROM_TRANSCRIPT,
        {"patientId": encode_id("Patient", patient.id), "text": "Hello."},
        token=token,
    )
    gid = body["data"]["createSessionFromTranscript"]["id"]
    sid = (await db.execute(select(TherapySession.id))).scalar_one()
    bare = settings.model_copy(update={"openai_api_key": None, "openai_base_url": None})

    # when extraction runs without a provider, then is retried with one
    await pipeline.run_extraction(session_factory, bare, sid, never)
    failed = await db.get(TherapySession, sid, populate_existing=True)
    assert failed is not None
    message, stage = failed.error_message, failed.failed_stage
    retried = await gql(RETRY, {"id": gid}, token=token)
    await pipeline.run_extraction(session_factory, ai_settings, sid, never)
    done = await db.get(TherapySession, sid, populate_existing=True)

    # then it failed with an actionable message and resumed from extraction
    assert message == NOT_CONFIGURED
    assert stage == "EXTRACTING_NOTES"
    assert retried["data"]["retrySession"]["status"] == "TRANSCRIBED"
    assert done is not None
    assert done.status is SessionStatus.PROCESSED


async def test_illegal_transitions_are_refused(db: AsyncSession) -> None:
    # given a processed session
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    ts = await create_session(
        db, patient, therapist, datetime.now(UTC), status=SessionStatus.PROCESSED
    )

    # when it is asked to jump back to TRANSCRIBING, then CONFLICT
    with pytest.raises(IllegalTransition) as refused:
        await transition(db, ts, SessionStatus.TRANSCRIBING)
    assert refused.value.code == "CONFLICT"


async def test_another_therapist_cannot_use_the_patient_or_retry_the_session(
    db: AsyncSession, settings: Settings, gql: GQL
) -> None:
    # given a patient and a failed session of one therapist
    owner = await create_user(db)
    other = await create_user(db)
    patient = await create_patient(db, owner)
    body = await gql(
        FROM_TRANSCRIPT,
        {"patientId": encode_id("Patient", patient.id), "text": "Hi."},
        token=token_for(settings, owner),
    )
    gid = body["data"]["createSessionFromTranscript"]["id"]

    # when the other therapist tries both
    create = await gql(
        FROM_TRANSCRIPT,
        {"patientId": encode_id("Patient", patient.id), "text": "Hi."},
        token=token_for(settings, other),
    )
    retry = await gql(RETRY, {"id": gid}, token=token_for(settings, other))

    # then both are NOT_FOUND, never FORBIDDEN
    assert error_codes(create) == ["NOT_FOUND"]
    assert error_codes(retry) == ["NOT_FOUND"]
