"""The patient's own view: who read, changed or exported their record (name,
role, when), and an export of their own record without therapist notes,
transcripts or risk flags."""

from __future__ import annotations

import io

import docx
import httpx
import pypdf
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    NOTE_CONTENT,
    create_notes,
    create_patient,
    create_session,
    create_transcript,
    create_user,
    token_for,
)
from tests.ops.conftest import download, produce_export
from tests.ops.test_exports import JOB

MY_LOG = """
query($p: ID) {
  auditLog(patientId: $p, first: 50) {
    totalCount
    edges { node { at action entityType fields actorName actorRole } }
  }
}
"""
READ = "query($id: ID!) { patient(id: $id) { name sessions { totalCount } } }"
EXPORT_MINE = "mutation($f: ExportFormat!) { exportMyRecord(format: $f) { id status } }"
TRANSCRIPT = "Patient said the secret transcript words about the lighthouse."


async def test_a_patient_reads_who_saw_their_record(
    ops_gql: GQL, db: AsyncSession, ops_settings: Settings
) -> None:
    # given a patient whose therapist read their record, and another patient
    therapist = await create_user(db, first_name="Grace", last_name="Hopper")
    account = await create_user(db, role=Role.PATIENT)
    mine = await create_patient(db, therapist, user_id=account.id)
    other = await create_patient(db, therapist)
    for p in (mine, other):
        await ops_gql(
            READ,
            {"id": encode_id("Patient", p.id)},
            token=token_for(ops_settings, therapist),
        )
    token = token_for(ops_settings, account)

    # when the patient reads their audit log (all of it, or by their own id)
    everything = await ops_gql(MY_LOG, {}, token=token)
    by_id = await ops_gql(MY_LOG, {"p": encode_id("Patient", mine.id)}, token=token)
    not_mine = await ops_gql(MY_LOG, {"p": encode_id("Patient", other.id)}, token=token)

    # then they see the therapist's read, by name and role, and nothing else
    assert "errors" not in everything, everything
    nodes = [e["node"] for e in everything["data"]["auditLog"]["edges"]]
    assert nodes, "the read is recorded"
    assert {(n["actorName"], n["actorRole"], n["action"]) for n in nodes} == {
        ("Grace Hopper", "THERAPIST", "READ")
    }
    assert all(n["at"] for n in nodes)
    assert by_id["data"]["auditLog"]["totalCount"] == len(nodes)
    assert error_codes(not_mine) == ["NOT_FOUND"]


@pytest.mark.parametrize("fmt", ["PDF", "DOCX"])
async def test_a_patient_exports_their_record_without_clinical_internals(
    db: AsyncSession,
    ops_gql: GQL,
    ops_client: httpx.AsyncClient,
    ops_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    fmt: str,
) -> None:
    therapist = await create_user(db)
    account = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=account.id, name="Ada Own")
    session = await create_session(db, patient, therapist)
    await create_transcript(db, session, TRANSCRIPT)
    await create_notes(db, session)
    token = token_for(ops_settings, account)

    created = await ops_gql(EXPORT_MINE, {"f": fmt}, token=token)
    assert "errors" not in created, created
    job_id = await produce_export(session_factory, ops_settings, created)
    job = (await ops_gql(JOB, {"id": job_id}, token=token))["data"]["node"]
    response = await download(ops_client, job["downloadUrl"], account, ops_settings)
    by_therapist = await ops_gql(
        EXPORT_MINE, {"f": fmt}, token=token_for(ops_settings, therapist)
    )

    assert job["status"] == "DONE"
    assert response.status_code == 200
    text = _text(response.content, fmt)
    assert "Ada Own" in text
    assert NOTE_CONTENT.patient_summary in text
    assert "Keep a sleep diary" in text
    assert "sleep" in text
    for hidden in (
        NOTE_CONTENT.therapist_notes,
        "self_harm",
        "none stated",
        "lighthouse",
        "secret transcript",
    ):
        assert hidden not in text, hidden
    assert error_codes(by_therapist) == ["FORBIDDEN"]


def _text(content: bytes, fmt: str) -> str:
    if fmt == "PDF":
        reader = pypdf.PdfReader(io.BytesIO(content))
        return " ".join(page.extract_text() for page in reader.pages)
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)
