"""Another therapist (or an unassigned admin) cannot read any object of a
therapist's practice by root field, node, nodes or nested path; the PATIENT
role is refused the hidden fields."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ExportKind, Role, SessionStatus
from db.models import AudioFile, SessionStatusEvent, User
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_export_job,
    create_notes,
    create_patient,
    create_plan,
    create_session,
    create_transcript,
    create_user,
    token_for,
)

NODE = "query($id: ID!) { node(id: $id) { id __typename } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
ROOTS = """
query($p: ID!, $s: ID!) {
  patient(id: $p) { id name }
  session(id: $s) { id }
  patients { totalCount edges { node { id } } }
  sessions { totalCount edges { node { id } } }
  byPatient: sessions(patientId: $p) { totalCount }
  exportJobs { totalCount edges { node { id } } }
}
"""
OWN_NESTED = """
query {
  patients { edges { node { id therapists { id } treatmentPlans { id }
    sessions { totalCount edges { node { id notes { id } noteVersions { id }
      transcript { text } audio { filename } events { status } } } } } } }
}
"""
PATIENT_VIEW = """
query($s: ID!) {
  session(id: $s) { id notes { keyTopics patientSummary actionItems { task }
    sessionMood } }
}
"""
HIDDEN = {
    "transcript": "query($s: ID!) { session(id: $s) { transcript { text } } }",
    "therapistNotes": "query($s: ID!) { session(id: $s) { notes { therapistNotes } } }",
    "riskFlags": "query($s: ID!) { session(id: $s) { notes { riskFlags { type } } } }",
    "formatted": (
        "query($s: ID!) { session(id: $s) { notes { formatted(format: SOAP) } } }"
    ),
}


@dataclass
class Practice:
    therapist: User
    ids: dict[str, str]


async def _practice(db: AsyncSession) -> Practice:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, name="Private Person")
    session = await create_session(db, patient, therapist)
    notes = await create_notes(db, session)
    await create_transcript(db, session)
    plan = await create_plan(db, patient)
    db.add(
        AudioFile(
            session_id=session.id,
            filename="a.mp3",
            content_type="audio/mpeg",
            size_bytes=10,
            storage_key=f"audio/{session.id}.mp3",
        )
    )
    db.add(SessionStatusEvent(session_id=session.id, status=SessionStatus.PROCESSED))
    job = await create_export_job(
        db, therapist, patient.id, kind=ExportKind.SESSION_NOTES
    )
    ids = {
        "Patient": encode_id("Patient", patient.id),
        "TherapySession": encode_id("TherapySession", session.id),
        "SessionNotes": encode_id("SessionNotes", notes.id),
        "TreatmentPlan": encode_id("TreatmentPlan", plan.id),
        "ExportJob": encode_id("ExportJob", job.id),
        "User": encode_id("User", therapist.id),
    }
    return Practice(therapist, ids)


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.ADMIN])
async def test_outsider_cannot_read_any_object_by_node_or_nodes(
    db: AsyncSession, gql: GQL, settings: Settings, role: Role
) -> None:
    practice = await _practice(db)
    outsider = await create_user(db, role=role)
    token = token_for(settings, outsider)

    by_node = {
        name: (await gql(NODE, {"id": gid}, token=token))["data"]["node"]
        for name, gid in practice.ids.items()
        if name != "User" or role is Role.THERAPIST  # admins see users
    }
    by_nodes = await gql(NODES, {"ids": list(practice.ids.values())}, token=token)

    assert by_node == dict.fromkeys(by_node)
    found = [n for n in by_nodes["data"]["nodes"] if n is not None]
    if role is Role.ADMIN:
        assert found == [{"id": practice.ids["User"]}]
    else:
        assert found == []


async def test_outsider_sees_nothing_through_root_fields(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    practice = await _practice(db)
    outsider = await create_user(db)
    await create_patient(db, outsider)

    body = await gql(
        ROOTS,
        {"p": practice.ids["Patient"], "s": practice.ids["TherapySession"]},
        token=token_for(settings, outsider),
    )

    data = body["data"]
    assert data["patient"] is None
    assert data["session"] is None
    assert data["patients"]["totalCount"] == 1
    assert practice.ids["Patient"] not in str(data["patients"])
    assert data["sessions"]["totalCount"] == 0
    assert data["byPatient"]["totalCount"] == 0
    assert data["exportJobs"]["totalCount"] == 0


async def test_owner_reads_every_nested_type_and_outsider_none(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    practice = await _practice(db)
    outsider = await create_user(db)

    mine = await gql(OWN_NESTED, token=token_for(settings, practice.therapist))
    theirs = await gql(OWN_NESTED, token=token_for(settings, outsider))

    node = mine["data"]["patients"]["edges"][0]["node"]
    session = node["sessions"]["edges"][0]["node"]
    assert node["treatmentPlans"][0]["id"] == practice.ids["TreatmentPlan"]
    assert session["notes"]["id"] == practice.ids["SessionNotes"]
    assert session["transcript"]["text"] == "Hello."
    assert session["audio"]["filename"] == "a.mp3"
    assert session["events"] == [{"status": "PROCESSED"}]
    assert theirs["data"]["patients"]["edges"] == []


async def test_patient_role_sees_its_summary_but_not_hidden_fields(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    account = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=account.id)
    session = await create_session(db, patient, therapist)
    await create_notes(db, session)
    await create_transcript(db, session)
    token = token_for(settings, account)
    sid = encode_id("TherapySession", session.id)

    visible = await gql(PATIENT_VIEW, {"s": sid}, token=token)
    hidden = {k: await gql(q, {"s": sid}, token=token) for k, q in HIDDEN.items()}

    notes = visible["data"]["session"]["notes"]
    assert notes["keyTopics"] == ["sleep", "work stress"]
    assert notes["actionItems"] == [{"task": "Keep a sleep diary"}]
    codes = {k: error_codes(b) for k, b in hidden.items()}
    assert codes == {k: ["FORBIDDEN"] for k in HIDDEN}
    assert "Engaged" not in str(hidden)
    assert "self_harm" not in str(hidden)


DETAIL = """
query($s: ID!) { session(id: $s) { id patient { id } transcript { text }
  notes { keyTopics } } }
"""
WITH_THERAPIST = """
query($s: ID!) { session(id: $s) { id therapist { id email } transcript { text } } }
"""


async def test_session_detail_joins_keep_each_objects_own_scoping(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    """session(id) fetches its nested objects in one statement; the therapist
    who held the session but no longer treats the patient stays unreadable
    (NOT_FOUND on that field), exactly as through its own loader; an outsider
    gets NOT_FOUND for the whole session."""
    current = await create_user(db)
    former = await create_user(db)
    outsider = await create_user(db)
    patient = await create_patient(db, current)
    row = await create_session(db, patient, former)
    await create_transcript(db, row, "Spoken words.")
    await create_notes(db, row)
    sid = encode_id("TherapySession", row.id)

    mine = await gql(DETAIL, {"s": sid}, token=token_for(settings, current))
    former_hidden = await gql(
        WITH_THERAPIST, {"s": sid}, token=token_for(settings, current)
    )
    theirs = await gql(DETAIL, {"s": sid}, token=token_for(settings, outsider))

    # therapist is non-null: its NOT_FOUND nulls the session, as before
    assert former_hidden["data"] is None or former_hidden["data"]["session"] is None
    assert error_codes(former_hidden) == ["NOT_FOUND"]
    assert former_hidden["errors"][0]["path"] == ["session", "therapist"]
    assert former.email not in str(former_hidden)
    assert "errors" not in mine, mine
    detail = mine["data"]["session"]
    assert detail["transcript"] == {"text": "Spoken words."}
    assert detail["notes"]["keyTopics"] == ["sleep", "work stress"]
    assert detail["patient"] == {"id": encode_id("Patient", patient.id)}
    assert theirs["data"] is None or theirs["data"]["session"] is None
    assert error_codes(theirs) == ["NOT_FOUND"]
    assert "Spoken" not in str(theirs)
