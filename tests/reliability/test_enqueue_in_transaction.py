"""Jobs are queued in the transaction of the change they follow: a committed
mutation always has its job, a rolled-back one leaves none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import SessionStatus
from resolvers.ids import encode_id
from services import enqueue
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_patient, create_session, create_user, token_for

CREATE = """
mutation($p: ID!) {
  createSessionFromTranscript(patientId: $p, transcript: "We talked.") { id status }
}
"""
CREATE_TWO = """
mutation($p: ID!, $bad: ID!) {
  a: createSessionFromTranscript(patientId: $p, transcript: "One.") { id }
  b: createSessionFromTranscript(patientId: $bad, transcript: "Two.") { id }
}
"""
JOBS = text(
    "SELECT task_name, queue_name, status::text, lock, queueing_lock, args"
    " FROM procrastinate_jobs WHERE args->>'session_id' = :sid"
)


async def _jobs(db: AsyncSession, session_id: uuid.UUID) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await db.execute(JOBS, {"sid": str(session_id)})]


async def test_a_committed_mutation_has_its_job(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)

    body = await gql(
        CREATE,
        {"p": encode_id("Patient", patient.id)},
        token=token_for(settings, therapist),
    )

    created = body["data"]["createSessionFromTranscript"]
    sid = (await db.execute(text("SELECT id FROM therapy_sessions"))).scalar_one()
    assert created["status"] == "TRANSCRIBED"
    assert await _jobs(db, sid) == [
        (
            "session.extract_notes",
            "pipeline",
            "todo",
            f"session:{sid}",
            f"extract:{sid}",
            {"session_id": str(sid)},
        )
    ]


async def test_a_rolled_back_mutation_leaves_no_job(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    # given a document whose first mutation succeeds and whose second fails
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    stranger = await create_patient(db)

    body = await gql(
        CREATE_TWO,
        {
            "p": encode_id("Patient", patient.id),
            "bad": encode_id("Patient", stranger.id),
        },
        token=token_for(settings, therapist),
    )

    # then the whole operation is rolled back: no session and no job
    assert error_codes(body) == ["NOT_FOUND"]
    sessions = (
        await db.execute(text("SELECT count(*) FROM therapy_sessions"))
    ).scalar()
    jobs = (await db.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar()
    assert sessions == 0
    assert jobs == 0


async def test_a_waiting_stage_is_queued_once(db: AsyncSession) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    ts = await create_session(
        db, patient, therapist, datetime.now(UTC), status=SessionStatus.UPLOADING
    )

    await enqueue.session_stage(db, "transcribe", ts.id)
    await enqueue.session_stage(db, "transcribe", ts.id)
    await enqueue.session_stage(db, "extract", ts.id)

    tasks = sorted(str(j[0]) for j in await _jobs(db, ts.id))
    assert tasks == ["session.extract_notes", "session.transcribe"]
