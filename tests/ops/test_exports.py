"""Exports: produced by the job, downloaded by their requester only, parsed back."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import docx
import httpx
import pypdf
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.enums import Mood, Role
from db.models import AuditEvent, ExportJob, Patient, SessionMetrics, User
from resolvers.ids import decode_id, encode_id
from services import exports
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_notes,
    create_patient,
    create_session,
    create_user,
    token_for,
)
from tests.ops.conftest import download, produce_export

EXPORT_NOTES = """
mutation ExportNotes($id: ID!, $format: ExportFormat!, $nf: NoteFormat) {
  exportSessionNotes(sessionId: $id, format: $format, noteFormat: $nf) {
    id status format downloadUrl expiresAt error
  }
}
"""
EXPORT_PROGRESS = """
mutation ExportProgress($id: ID!, $format: ExportFormat!, $weeks: Int) {
  exportProgressReport(patientId: $id, format: $format, weeks: $weeks) {
    id status format downloadUrl
  }
}
"""
JOB = """
query Job($id: ID!) {
  node(id: $id) { ... on ExportJob { id status downloadUrl expiresAt error } }
}
"""
JOBS = "query Jobs { exportJobs { totalCount edges { node { id status } } } }"
NOT_FOUND = {"error": "Not found"}


async def _world(db: AsyncSession) -> tuple[User, Patient, Any]:
    therapist = await create_user(db, first_name="Margaret", last_name="Hamilton")
    patient = await create_patient(db, therapist, name="Ada Lovelace")
    session = await create_session(db, patient, therapist)
    await create_notes(db, session)
    return therapist, patient, session


async def test_session_notes_pdf_is_produced_downloaded_and_audited(
    db: AsyncSession,
    ops_gql: GQL,
    ops_client: httpx.AsyncClient,
    ops_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    therapist, patient, session = await _world(db)
    token = token_for(ops_settings, therapist)
    variables = {
        "id": encode_id("TherapySession", session.id),
        "format": "PDF",
        "nf": "DAP",
    }

    created = await ops_gql(EXPORT_NOTES, variables, token=token)
    job_id = await produce_export(session_factory, ops_settings, created)
    job = (await ops_gql(JOB, {"id": job_id}, token=token))["data"]["node"]
    response = await download(ops_client, job["downloadUrl"], therapist, ops_settings)

    assert created["data"]["exportSessionNotes"]["status"] == "PENDING"
    assert created["data"]["exportSessionNotes"]["downloadUrl"] is None
    assert job["status"] == "DONE"
    assert job["downloadUrl"] == f"/exports/{job_id}"
    assert job["expiresAt"] is not None
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in [
        "Ada Lovelace",
        "Margaret Hamilton",
        "2026-01-05 10:00 UTC",
        "Session notes (DAP)",
        "Data",
        "Assessment",
        "Discussed sleep problems",
        "Keep a sleep diary",
    ]:
        assert expected in text
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert "Lovelace" not in metadata
    assert "Hamilton" not in metadata
    audits = (
        (
            await db.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "EXPORT", AuditEvent.patient_id == patient.id
                )
            )
        )
        .scalars()
        .all()
    )
    assert [a.actor_id for a in audits] == [therapist.id]


async def test_another_therapist_can_neither_download_nor_see_the_job(
    db: AsyncSession,
    ops_gql: GQL,
    ops_client: httpx.AsyncClient,
    ops_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    therapist, _, session = await _world(db)
    other = await create_user(db)
    variables = {"id": encode_id("TherapySession", session.id), "format": "DOCX"}
    created = await ops_gql(
        EXPORT_NOTES, variables, token=token_for(ops_settings, therapist)
    )
    job_id = await produce_export(session_factory, ops_settings, created)
    other_token = token_for(ops_settings, other)

    theirs = await download(ops_client, f"/exports/{job_id}", other, ops_settings)
    unknown = await download(
        ops_client, f"/exports/{encode_id('ExportJob', other.id)}", other, ops_settings
    )
    garbage = await download(ops_client, "/exports/not-an-id", other, ops_settings)
    anonymous = await ops_client.get(f"/exports/{job_id}")
    node = await ops_gql(JOB, {"id": job_id}, token=other_token)
    listed = await ops_gql(JOBS, token=other_token)
    notes_by_other = await ops_gql(EXPORT_NOTES, variables, token=other_token)

    assert theirs.status_code == unknown.status_code == garbage.status_code == 404
    assert theirs.json() == unknown.json() == garbage.json() == NOT_FOUND
    assert anonymous.status_code == 401
    assert node["data"]["node"] is None
    assert listed["data"]["exportJobs"]["totalCount"] == 0
    assert error_codes(notes_by_other) == ["NOT_FOUND"]


async def test_progress_report_docx_has_the_figures_and_charts(
    db: AsyncSession,
    ops_gql: GQL,
    ops_client: httpx.AsyncClient,
    ops_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    therapist = await create_user(db, first_name="Grace", last_name="Hopper")
    patient = await create_patient(db, therapist, name="Alan Turing")
    now = utcnow()
    for weeks_ago, mood in [(3, Mood.LOW), (2, Mood.NEUTRAL), (1, Mood.POSITIVE)]:
        s = await create_session(
            db, patient, therapist, now - timedelta(weeks=weeks_ago)
        )
        await create_notes(db, s, session_mood=mood)
        # what extraction writes for analytics
        db.add(
            SessionMetrics(
                session_id=s.id,
                therapist_id=therapist.id,
                patient_id=patient.id,
                session_date=s.session_date,
                attendance=s.attendance,
                duration_minutes=50,
                mood_score=mood.score,
                topics=["sleep", "work stress"],
            )
        )
    await db.flush()
    token = token_for(ops_settings, therapist)
    variables = {"id": encode_id("Patient", patient.id), "format": "DOCX", "weeks": 6}

    created = await ops_gql(EXPORT_PROGRESS, variables, token=token)
    job_id = await produce_export(session_factory, ops_settings, created)
    job = (await ops_gql(JOB, {"id": job_id}, token=token))["data"]["node"]
    response = await download(ops_client, job["downloadUrl"], therapist, ops_settings)

    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Progress report" in text
    assert "Alan Turing" in text
    assert "Grace Hopper" in text
    assert "Sessions: 3" in text
    assert "(6 weeks)" in text
    assert "sleep: 3" in text
    assert "work stress: 3" in text
    assert "Week starting" in cells
    assert {"2.00", "3.00", "4.00"} <= set(cells)
    assert len(document.inline_shapes) == 2  # mood trend and topic charts
    assert "Turing" not in (document.core_properties.title or "")
    assert document.core_properties.author == ""


async def test_export_of_a_session_without_notes_is_bad_input(
    db: AsyncSession, ops_gql: GQL, ops_settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    bare = await create_session(db, patient, therapist)
    variables = {"id": encode_id("TherapySession", bare.id), "format": "PDF"}

    body = await ops_gql(
        EXPORT_NOTES, variables, token=token_for(ops_settings, therapist)
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "sessionId"
    assert (await db.execute(select(ExportJob))).scalars().all() == []


async def test_exports_are_rate_limited_per_therapist(
    db: AsyncSession, ops_gql: GQL, ops_settings: Settings
) -> None:
    therapist, patient, _ = await _world(db)
    token = token_for(ops_settings, therapist)
    variables = {"id": encode_id("Patient", patient.id), "format": "PDF"}

    bodies = [await ops_gql(EXPORT_PROGRESS, variables, token=token) for _ in range(4)]

    # ops_settings allows 3 an hour
    assert [error_codes(b) for b in bodies] == [[], [], [], ["RATE_LIMITED"]]
    assert bodies[3]["errors"][0]["extensions"]["retryAfter"] > 0


async def test_a_patient_user_may_not_export(
    db: AsyncSession, ops_gql: GQL, ops_settings: Settings
) -> None:
    _, patient, _ = await _world(db)
    user = await create_user(db, role=Role.PATIENT)
    variables = {"id": encode_id("Patient", patient.id), "format": "PDF"}

    body = await ops_gql(
        EXPORT_PROGRESS, variables, token=token_for(ops_settings, user)
    )

    assert error_codes(body) == ["FORBIDDEN"]


async def test_expired_exports_are_404_and_their_files_deleted(
    db: AsyncSession,
    ops_gql: GQL,
    ops_client: httpx.AsyncClient,
    ops_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    therapist, _, session = await _world(db)
    variables = {"id": encode_id("TherapySession", session.id), "format": "PDF"}
    created = await ops_gql(
        EXPORT_NOTES, variables, token=token_for(ops_settings, therapist)
    )
    job_id = await produce_export(session_factory, ops_settings, created)
    row = await db.get(
        ExportJob, decode_id(job_id, "ExportJob"), populate_existing=True
    )
    assert row is not None
    assert row.storage_key is not None
    path = ops_settings.storage_path / row.storage_key
    assert path.is_file()
    row.expires_at = utcnow() - timedelta(minutes=1)
    await db.flush()

    expired = await download(ops_client, f"/exports/{job_id}", therapist, ops_settings)
    deleted = await exports.delete_expired(db, ops_settings)

    assert expired.status_code == 404
    assert expired.json() == NOT_FOUND
    assert deleted == 1
    assert not path.exists()
