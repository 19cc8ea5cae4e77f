"""signSessionNotes / addNoteAddendum / updateSessionNotes after signing, and
the signature and addenda in exports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import JobStatus, Role
from db.models import AuditEvent, PatientTherapist, TherapySession, User
from resolvers.ids import encode_id
from services.export_build import build_document
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_export_job,
    create_notes,
    create_patient,
    create_session,
    create_user,
    token_for,
)

SIGN = """
mutation($s: ID!) { signSessionNotes(sessionId: $s) {
  version signedAt signedBy { id } addenda { text } } }
"""
ADD = """
mutation($s: ID!, $t: String!) { addNoteAddendum(sessionId: $s, text: $t) {
  version addenda { text createdAt author { id } } } }
"""
EDIT = """
mutation($s: ID!) { updateSessionNotes(sessionId: $s, input: {therapistNotes: "x"}) {
  version } }
"""
READ = (
    "query($s: ID!) { session(id: $s) { notes { version signedAt addenda { text } } } }"
)


async def _signed_world(db: AsyncSession) -> tuple[User, str, TherapySession]:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    row = await create_session(db, patient, therapist)
    await create_notes(db, row, version=1)
    await create_notes(db, row, version=2)
    return therapist, encode_id("TherapySession", row.id), row


async def test_signing_locks_the_latest_version_and_edits_become_conflicts(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist, sid, _ = await _signed_world(db)
    token = token_for(settings, therapist)

    signed = await gql(SIGN, {"s": sid}, token=token)
    again = await gql(SIGN, {"s": sid}, token=token)
    edit = await gql(EDIT, {"s": sid}, token=token)

    notes = signed["data"]["signSessionNotes"]
    assert notes["version"] == 2
    assert notes["signedAt"] is not None
    assert notes["signedBy"]["id"] == encode_id("User", therapist.id)
    assert error_codes(again) == ["CONFLICT"]
    assert error_codes(edit) == ["CONFLICT"]
    read = await gql(READ, {"s": sid}, token=token)
    assert read["data"]["session"]["notes"]["version"] == 2  # no version 3
    actions = (
        await db.execute(select(AuditEvent.action).where(AuditEvent.action == "SIGN"))
    ).scalars()
    assert list(actions) == ["SIGN"]


async def test_addenda_are_dated_authored_and_only_on_signed_notes(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist, sid, _ = await _signed_world(db)
    token = token_for(settings, therapist)

    before = await gql(ADD, {"s": sid, "t": "Called the client."}, token=token)
    await gql(SIGN, {"s": sid}, token=token)
    empty = await gql(ADD, {"s": sid, "t": "   "}, token=token)
    first = await gql(ADD, {"s": sid, "t": "Called the client."}, token=token)
    second = await gql(ADD, {"s": sid, "t": "Safety plan reviewed."}, token=token)

    assert error_codes(before) == ["CONFLICT"]
    assert error_codes(empty) == ["BAD_USER_INPUT"]
    assert empty["errors"][0]["extensions"]["field"] == "text"
    assert (
        first["data"]["addNoteAddendum"]["addenda"][0]["text"] == "Called the client."
    )
    addenda = second["data"]["addNoteAddendum"]["addenda"]
    assert [a["text"] for a in addenda] == [
        "Called the client.",
        "Safety plan reviewed.",
    ]
    assert all(a["createdAt"] and a["author"]["id"] for a in addenda)


async def test_only_the_sessions_own_therapist_signs_and_others_see_nothing(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    owner, sid, row = await _signed_world(db)
    stranger = await create_user(db)
    colleague = await create_user(db)
    db.add(PatientTherapist(patient_id=row.patient_id, therapist_id=colleague.id))
    await db.flush()

    by_stranger = await gql(SIGN, {"s": sid}, token=token_for(settings, stranger))
    by_colleague = await gql(SIGN, {"s": sid}, token=token_for(settings, colleague))
    await gql(SIGN, {"s": sid}, token=token_for(settings, owner))
    add_by_stranger = await gql(
        ADD, {"s": sid, "t": "hello"}, token=token_for(settings, stranger)
    )

    assert error_codes(by_stranger) == ["NOT_FOUND"]
    assert error_codes(by_colleague) == ["FORBIDDEN"]
    assert error_codes(add_by_stranger) == ["NOT_FOUND"]


async def test_the_export_shows_the_signature_and_the_addenda(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist, sid, row = await _signed_world(db)
    token = token_for(settings, therapist)
    await gql(SIGN, {"s": sid}, token=token)
    await gql(ADD, {"s": sid, "t": "Late entry: phoned GP."}, token=token)
    job = await create_export_job(
        db,
        therapist,
        row.patient_id,
        row.id,
        status=JobStatus.PENDING,
        params={"note_format": "SOAP"},
    )

    doc = await build_document(db, settings, job)

    header = dict(doc.header)
    assert header["Signed"].startswith(therapist.full_name)
    texts = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "Addenda" in texts
    bullets = [i for b in doc.blocks for i in (b.items or [])]
    assert any("Late entry: phoned GP." in i for i in bullets)


async def test_a_patient_cannot_sign(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    _, sid, _ = await _signed_world(db)
    patient_user = await create_user(db, role=Role.PATIENT)
    answer = await gql(SIGN, {"s": sid}, token=token_for(settings, patient_user))
    assert error_codes(answer) in (["FORBIDDEN"], ["NOT_FOUND"])
