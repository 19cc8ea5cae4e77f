"""Consent (REQUIRE_CONSENT=true, the default): recorded, withdrawn, kept;
uploads and everything that would reach the AI provider are refused without
it, and a job that finds it withdrawn ends the session FAILED having sent
nothing to the provider (the fake OpenAI server's own record of calls)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import ConsentKind, Role, SessionStatus
from db.models import AuditEvent, PatientConsent, TherapySession
from resolvers.ids import encode_id
from services import pipeline
from services.consent import WITHDRAWN
from settings import Settings
from tests.conftest import GQL, app_client, error_codes
from tests.e2e.pipeline_helpers import MP3, UPLOAD
from tests.factories import (
    create_patient,
    create_session,
    create_transcript,
    create_user,
    token_for,
)
from tests.fake_openai import FakeOpenAI
from tests.services.conftest import never

RECORD = """
mutation($p: ID!, $k: ConsentKind!, $g: Boolean!, $v: String) {
  recordConsent(patientId: $p, kind: $k, granted: $g, formVersion: $v) {
    consents { kind granted formVersion recordedAt recordedBy { id } }
  }
}
"""
CONSENTS = "query($p: ID!) { patient(id: $p) { consents { kind granted } } }"
FROM_TRANSCRIPT = """
mutation($p: ID!) { createSessionFromTranscript(patientId: $p, transcript: "Hi.") {
  id status } }
"""
EXTRACT = "mutation($s: ID!) { extractNotes(sessionId: $s) { status } }"
RETRY = "mutation($s: ID!) { retrySession(sessionId: $s) { status } }"


@pytest.fixture
def ai_settings(ai_settings: Settings, tmp_path: Path) -> Settings:
    # tests/services/conftest.py's fake and settings, storage in a subfolder
    assert ai_settings.require_consent is True  # the default, not switched off
    return ai_settings.model_copy(update={"storage_dir": tmp_path / "storage"})


@pytest.fixture
async def ai_client(
    ai_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(ai_settings, session_factory, "http://t") as c:
        yield c


async def test_consent_is_recorded_withdrawn_kept_and_audited(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, consents=False)
    pid, token = encode_id("Patient", patient.id), token_for(settings, therapist)

    before = await gql(CONSENTS, {"p": pid}, token=token)
    given = await gql(
        RECORD, {"p": pid, "k": "RECORDING", "g": True, "v": "v1"}, token=token
    )
    await gql(RECORD, {"p": pid, "k": "AI_PROCESSING", "g": True}, token=token)
    withdrawn = await gql(
        RECORD, {"p": pid, "k": "RECORDING", "g": False, "v": "v2"}, token=token
    )

    assert before["data"]["patient"]["consents"] == []
    assert given["data"]["recordConsent"]["consents"][0]["granted"] is True
    current = {c["kind"]: c for c in withdrawn["data"]["recordConsent"]["consents"]}
    assert current["RECORDING"]["granted"] is False
    assert current["RECORDING"]["formVersion"] == "v2"
    assert current["RECORDING"]["recordedBy"] == {"id": encode_id("User", therapist.id)}
    assert current["AI_PROCESSING"]["granted"] is True
    # every change is kept, and the table refuses to forget
    rows = await db.scalars(
        select(PatientConsent.granted)
        .where(PatientConsent.patient_id == patient.id)
        .order_by(PatientConsent.recorded_at)
    )
    assert list(rows) == [True, True, False]
    audited = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "Consent", AuditEvent.patient_id == patient.id)
    )
    assert audited == 3
    with pytest.raises(DBAPIError):
        async with db.begin_nested():
            await db.execute(text("UPDATE patient_consents SET granted = true"))


async def test_consent_of_another_therapists_patient_is_not_found(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    owner, other = await create_user(db), await create_user(db)
    patient = await create_patient(db, owner)
    pid = encode_id("Patient", patient.id)
    patient_user = await create_user(db, role=Role.PATIENT)
    await create_patient(db, owner, user_id=patient_user.id)

    by_other = await gql(
        RECORD,
        {"p": pid, "k": "RECORDING", "g": False},
        token=token_for(settings, other),
    )
    read = await gql(CONSENTS, {"p": pid}, token=token_for(settings, other))
    by_patient = await gql(
        RECORD,
        {"p": pid, "k": "RECORDING", "g": False},
        token=token_for(settings, patient_user),
    )

    assert error_codes(by_other) == ["NOT_FOUND"]
    assert read["data"]["patient"] is None
    assert error_codes(by_patient) == ["FORBIDDEN"]


async def _upload(client: httpx.AsyncClient, token: str, pid: str) -> dict[str, object]:
    operations = {"query": UPLOAD, "variables": {"patientId": pid, "audio": None}}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.audio"]}),
        },
        files={"0": ("session.mp3", MP3, "application/octet-stream")},
        headers={"authorization": f"Bearer {token}", "apollo-require-preflight": "1"},
    )
    body: dict[str, object] = response.json()
    return body


async def test_upload_without_consent_leaves_no_row_and_no_file(
    ai_client: httpx.AsyncClient,
    db: AsyncSession,
    ai_settings: Settings,
) -> None:
    therapist = await create_user(db)
    none_given = await create_patient(db, therapist, consents=False)
    recording_only = await create_patient(db, therapist, consents=False)
    db.add(
        PatientConsent(
            patient_id=recording_only.id, kind=ConsentKind.RECORDING, granted=True
        )
    )
    await db.flush()
    token = token_for(ai_settings, therapist)

    first = await _upload(ai_client, token, encode_id("Patient", none_given.id))
    second = await _upload(ai_client, token, encode_id("Patient", recording_only.id))

    for body, kind in ((first, "RECORDING"), (second, "AI_PROCESSING")):
        assert error_codes(body) == ["CONSENT_REQUIRED"]
        errors = body["errors"]
        assert isinstance(errors, list)
        assert errors[0]["extensions"]["kind"] == kind
    assert await db.scalar(select(func.count()).select_from(TherapySession)) == 0
    storage = ai_settings.storage_path
    assert not storage.exists() or not [p for p in storage.rglob("*") if p.is_file()]


async def test_nothing_reaches_the_ai_without_ai_processing_consent(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, consents=False)
    ts = await create_session(db, patient, therapist)
    await create_transcript(db, ts)
    failed = await create_session(
        db,
        patient,
        therapist,
        status=SessionStatus.FAILED,
        failed_stage="EXTRACTING_NOTES",
    )
    await create_transcript(db, failed)
    token = token_for(settings, therapist)
    pid = encode_id("Patient", patient.id)

    created = await gql(FROM_TRANSCRIPT, {"p": pid}, token=token)
    extract = await gql(EXTRACT, {"s": encode_id("TherapySession", ts.id)}, token=token)
    retry = await gql(RETRY, {"s": encode_id("TherapySession", failed.id)}, token=token)

    for body in (created, extract, retry):
        assert error_codes(body) == ["CONSENT_REQUIRED"]
        assert body["errors"][0]["extensions"]["kind"] == "AI_PROCESSING"
    assert await db.scalar(select(func.count()).select_from(TherapySession)) == 2
    await db.refresh(ts)
    assert ts.status is SessionStatus.PROCESSED


async def test_a_queued_job_finds_consent_withdrawn_and_sends_nothing(
    ai_client: httpx.AsyncClient,
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    fake: FakeOpenAI,
) -> None:
    # given an upload and a transcript session queued with consent given
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(ai_settings, therapist)
    pid = encode_id("Patient", patient.id)
    uploaded = await _upload(ai_client, token, pid)
    assert "errors" not in uploaded, uploaded
    gql = GQL(ai_client)
    pasted = await gql(FROM_TRANSCRIPT, {"p": pid}, token=token)
    assert "errors" not in pasted, pasted
    ids = list(await db.scalars(select(TherapySession.id)))

    # when the consent is withdrawn before the jobs start
    withdrawn = await gql(
        RECORD, {"p": pid, "k": "AI_PROCESSING", "g": False}, token=token
    )
    assert "errors" not in withdrawn
    for sid in ids:
        await pipeline.run_transcription(session_factory, ai_settings, sid, never)
        await pipeline.run_extraction(session_factory, ai_settings, sid, never)

    # then both sessions FAILED saying why, and the provider got nothing
    rows = list(
        await db.scalars(
            select(TherapySession)
            .where(TherapySession.id.in_(ids))
            .execution_options(populate_existing=True)
        )
    )
    assert [r.status for r in rows] == [SessionStatus.FAILED] * 2
    assert {r.error_message for r in rows} == {WITHDRAWN}
    assert fake.calls() == []
