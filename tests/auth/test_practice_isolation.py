"""Two practices: nobody of practice B, in any role, gets anything of practice
A through a root field, a nested path, a mutation or an export download; A's
IDs are NOT_FOUND everywhere (node/nodes: tests/auth/test_node_matrix.py;
subscriptions: tests/e2e/test_practice_subscriptions.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from db.models import Patient, PatientConsent, PatientTherapist
from resolvers.ids import decode_id, encode_id
from services import export_build
from settings import Settings
from tests.auth.practice_world import Clinic
from tests.conftest import GQL, error_codes

EVERYTHING = """
query {
  me { id practice { id name } }
  practice { id name members { id email } invitations { id email } }
  patients(first: 50, includeArchived: true) {
    totalCount
    edges { node { id name therapists { id email } consents { kind granted }
      sessions(first: 10) { edges { node { id notes { patientSummary } } } } } }
  }
  sessions(first: 50) { totalCount edges { node { id patient { id name } } } }
  exportJobs(first: 50) { totalCount edges { node { id } } }
  auditLog(first: 100) {
    edges { node { id entityId patient { id } actor { id } actorName actorRole } }
  }
}
"""
ADMIN_EXTRA = """
query { analytics { practiceTherapists { therapist { id email } sessions } } }
"""
READ_A = "query($id: ID!) { patient(id: $id) { id name sessions { totalCount } } }"
PROBERS = ["admin", "founder", "therapist", "patient_user"]
EXPORT = """
mutation($p: ID!) { exportProgressReport(patientId: $p, format: PDF) { id } }
"""


def _a_markers(a: Clinic) -> list[str]:
    ids = [encode_id("User", u.id) for u in a.users]
    ids += [
        encode_id("Patient", a.patient.id),
        encode_id("TherapySession", a.session.id),
        encode_id("Practice", a.practice.id),
        encode_id("ExportJob", a.export.id),
        a.patient.name,
        a.practice.name,
    ]
    ids += [u.email for u in a.users]
    ids += [u.full_name for u in a.users]
    return ids


@pytest.mark.parametrize("who", PROBERS)
async def test_root_fields_and_nested_paths_show_nothing_of_another_practice(
    gql: GQL, clinics: tuple[Clinic, Clinic], settings: Settings, who: str
) -> None:
    a, b = clinics
    # A's own people read A's records: there are audit events about them
    await gql(
        READ_A,
        {"id": encode_id("Patient", a.patient.id)},
        token=a.token(settings, "therapist"),
    )
    token = b.token(settings, who)

    body = await gql(EVERYTHING, token=token)
    extra = await gql(ADMIN_EXTRA, token=token)

    text = json.dumps(body) + json.dumps(extra)
    assert "errors" not in body, body
    assert body["data"]["practice"]["name"] == "Practice B"
    for marker in _a_markers(a):
        assert marker not in text, f"{who} saw {marker}"


ASSIGN = """
mutation($p: ID!, $t: ID!) { assignTherapist(patientId: $p, therapistId: $t) { id } }
"""
LINK = """
mutation($p: ID!, $u: ID!) { linkPatientAccount(patientId: $p, userId: $u) { id } }
"""
ON_PATIENT = [
    'mutation($p: ID!) { updatePatient(id: $p, input: {name: "x"}) { id } }',
    "mutation($p: ID!) { archivePatient(id: $p) { id } }",
    "mutation($p: ID!) { recordConsent(patientId: $p, kind: RECORDING, "
    "granted: false) { id } }",
    'mutation($p: ID!) { inviteUser(email: "new@example.com", role: PATIENT, '
    "patientId: $p) { id } }",
    "mutation($p: ID!) { createSessionFromTranscript(patientId: $p, "
    'transcript: "hello") { id } }',
    "mutation($p: ID!) { scheduleSession(input: {patientId: $p, "
    'sessionDate: "2026-12-01T10:00:00Z"}) { id } }',
    "mutation($p: ID!) { exportProgressReport(patientId: $p, format: PDF) { id } }",
    "mutation($p: ID!) { createTreatmentPlan(input: {patientId: $p, "
    'title: "t"}) { id } }',
    "query($p: ID!) { auditLog(patientId: $p) { totalCount } }",
    "query($p: ID!) { analytics { patientProgress(patientId: $p) { totalSessions } } }",
]
ON_SESSION = [
    "mutation($s: ID!) { extractNotes(sessionId: $s) { id } }",
    "mutation($s: ID!) { retrySession(sessionId: $s) { id } }",
    "mutation($s: ID!) { setAttendance(sessionId: $s, attendance: NO_SHOW) { id } }",
    "mutation($s: ID!) { deleteSession(sessionId: $s) }",
    "mutation($s: ID!) { exportSessionNotes(sessionId: $s, format: PDF) { id } }",
    'mutation($s: ID!) { updateSessionNotes(sessionId: $s, input: {topicSummary: "x"})'
    " { id } }",
]


def _mutations(a: Clinic, b: Clinic) -> list[tuple[str, dict[str, Any]]]:
    pa = encode_id("Patient", a.patient.id)
    sa = encode_id("TherapySession", a.session.id)
    pb = encode_id("Patient", b.patient.id)
    return [
        *((doc, {"p": pa}) for doc in ON_PATIENT),
        *((doc, {"s": sa}) for doc in ON_SESSION),
        (ASSIGN, {"p": pa, "t": encode_id("User", b.therapist.id)}),
        (ASSIGN, {"p": pb, "t": encode_id("User", a.therapist.id)}),
        (LINK, {"p": pb, "u": encode_id("User", a.patient_user.id)}),
        (
            "mutation($u: ID!) { deactivateUser(userId: $u) { id } }",
            {"u": encode_id("User", a.therapist.id)},
        ),
    ]


@pytest.mark.parametrize("who", ["admin", "founder", "therapist"])
async def test_another_practices_ids_are_not_found_everywhere(
    gql: GQL,
    db: AsyncSession,
    clinics: tuple[Clinic, Clinic],
    settings: Settings,
    who: str,
) -> None:
    a, b = clinics
    consents_before = await db.scalar(select(func.count()).select_from(PatientConsent))
    token = b.token(settings, who)

    answers = [(doc, await gql(doc, v, token=token)) for doc, v in _mutations(a, b)]

    for doc, body in answers:
        # NOT_FOUND (never FORBIDDEN, which would confirm the ID exists); a
        # role that may not call the mutation at all is FORBIDDEN before any
        # lookup, whatever the ID
        codes = error_codes(body)
        allowed = {"NOT_FOUND"} if who != "therapist" else {"NOT_FOUND", "FORBIDDEN"}
        assert codes, (who, doc)
        assert set(codes) <= allowed, (who, doc, body)
        assert not any((body.get("data") or {}).values()), (doc, body)
    # and nothing of A changed
    await db.refresh(a.patient)
    await db.refresh(a.session)
    await db.refresh(a.therapist)
    assert a.patient.name.startswith("Patient")
    assert a.patient.archived_at is None
    assert a.therapist.is_active
    assert a.session.attendance.value == "COMPLETED"
    assert await db.scalar(select(func.count()).select_from(PatientConsent)) == (
        consents_before
    )
    assigned = await db.scalar(
        select(func.count())
        .select_from(PatientTherapist)
        .where(PatientTherapist.patient_id.in_([a.patient.id, b.patient.id]))
    )
    assert assigned == 2
    linked = await db.get(Patient, b.patient.id)
    assert linked is not None
    assert linked.user_id == b.patient_user.id


async def test_a_therapist_may_not_assign_even_in_their_own_practice(
    gql: GQL, clinics: tuple[Clinic, Clinic], settings: Settings
) -> None:
    _, b = clinics
    doc = (
        "mutation($p: ID!, $t: ID!) { assignTherapist(patientId: $p, therapistId: $t)"
        " { id } }"
    )
    variables = {
        "p": encode_id("Patient", b.patient.id),
        "t": encode_id("User", b.founder.id),
    }

    by_therapist = await gql(doc, variables, token=b.token(settings, "therapist"))
    by_admin = await gql(doc, variables, token=b.token(settings, "admin"))

    assert error_codes(by_therapist) == ["FORBIDDEN"]
    assert "errors" not in by_admin


async def test_export_downloads_of_another_practice_are_404(
    clinics: tuple[Clinic, Clinic],
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    a, b = clinics
    settings = Settings(
        environment="test", database_url=database_url, data_dir=tmp_path
    )
    app = create_app(settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        gql = GQL(client)
        created = await gql(
            EXPORT,
            {"p": encode_id("Patient", a.patient.id)},
            token=a.token(settings, "therapist"),
        )
        job_id = created["data"]["exportProgressReport"]["id"]
        await export_build.run_export(
            session_factory, settings, decode_id(job_id, "ExportJob")
        )
        url = f"/exports/{job_id}"
        own = await client.get(url, headers=_bearer(a.token(settings, "therapist")))
        others = [
            await client.get(url, headers=_bearer(b.token(settings, who)))
            for who in PROBERS
        ]

    assert own.status_code == 200
    assert [r.status_code for r in others] == [404] * len(PROBERS)
    assert all(r.json() == {"error": "Not found"} for r in others)


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
