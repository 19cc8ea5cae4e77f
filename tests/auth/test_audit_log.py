"""auditLog: admins read their practice's, therapists their own patients'
events only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from db.models import Patient, User
from resolvers.ids import encode_id
from services.audit import AuditAction, AuditRecord, write_events
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_notes,
    create_patient,
    create_session,
    create_user,
    token_for,
    utc,
)

AUDIT_LOG = """
query($patientId: ID, $first: Int, $after: String) {
  auditLog(patientId: $patientId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id action entityType entityId fields requestId actor { id } } }
  }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id ... on AuditEvent { action } } }"


async def _events(db: AsyncSession, patient: Patient, actor: User, n: int) -> None:
    start = utcnow() - timedelta(minutes=n)
    await write_events(
        db,
        [
            AuditRecord(
                id=uuid.uuid4(),
                at=start + timedelta(seconds=i),
                actor_id=actor.id,
                action=AuditAction.READ,
                entity_type="Patient",
                entity_id=patient.id,
                patient_id=patient.id,
                fields=("name", f"f{i}"),
                request_id=f"req-{i}",
            )
            for i in range(n)
        ],
    )
    await db.flush()


def _nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in body["data"]["auditLog"]["edges"]]


async def test_therapist_reads_own_patients_events_newest_first_in_pages(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    a = await create_user(db)
    patient = await create_patient(db, a)
    await _events(db, patient, a, 5)
    token = token_for(settings, a)

    first = await gql(AUDIT_LOG, {"first": 3}, token=token)
    cursor = first["data"]["auditLog"]["pageInfo"]["endCursor"]
    rest = await gql(AUDIT_LOG, {"first": 3, "after": cursor}, token=token)

    fields = [n["fields"][1] for n in _nodes(first) + _nodes(rest)]
    assert fields == ["f4", "f3", "f2", "f1", "f0"]
    assert first["data"]["auditLog"]["totalCount"] == 5
    assert first["data"]["auditLog"]["pageInfo"]["hasNextPage"] is True
    assert rest["data"]["auditLog"]["pageInfo"]["hasNextPage"] is False
    node = _nodes(first)[0]
    assert node["entityId"] == encode_id("Patient", patient.id)
    assert node["actor"]["id"] == encode_id("User", a.id)
    assert node["requestId"] == "req-4"


async def test_other_therapist_sees_none_of_it(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    a = await create_user(db)
    b = await create_user(db)
    patient = await create_patient(db, a)
    await _events(db, patient, a, 2)
    token_b = token_for(settings, b)
    event_id = _nodes(await gql(AUDIT_LOG, {}, token=token_for(settings, a)))[0]["id"]

    everything = await gql(AUDIT_LOG, {}, token=token_b)
    by_patient = await gql(
        AUDIT_LOG, {"patientId": encode_id("Patient", patient.id)}, token=token_b
    )
    node = await gql(NODE, {"id": event_id}, token=token_b)

    assert everything["data"]["auditLog"]["totalCount"] == 0
    assert error_codes(by_patient) == ["NOT_FOUND"]
    assert node["data"]["node"] is None


async def test_admin_reads_every_event_and_filters_by_patient(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(db, role=Role.ADMIN)
    a = await create_user(db)
    p1 = await create_patient(db, a)
    p2 = await create_patient(db, a)
    await _events(db, p1, a, 2)
    await _events(db, p2, a, 3)
    token = token_for(settings, admin)

    one = await gql(AUDIT_LOG, {"patientId": encode_id("Patient", p2.id)}, token=token)
    everything = await gql(AUDIT_LOG, {"first": 100}, token=token)

    assert one["data"]["auditLog"]["totalCount"] == 3
    assert {n["entityId"] for n in _nodes(one)} == {encode_id("Patient", p2.id)}
    assert everything["data"]["auditLog"]["totalCount"] >= 5


async def test_an_unlinked_patient_account_reads_nothing_and_anonymous_is_refused(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    # a PATIENT reads only their own record's events (tests/auth/
    # test_patient_view.py); an account linked to no record has none
    therapist = await create_user(db)
    await _events(db, await create_patient(db, therapist), therapist, 2)
    patient_user = await create_user(db, role=Role.PATIENT)

    as_patient = await gql(AUDIT_LOG, {}, token=token_for(settings, patient_user))
    anonymous = await gql(AUDIT_LOG, {})

    assert "errors" not in as_patient
    assert as_patient["data"]["auditLog"]["totalCount"] == 0
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_bad_arguments_name_the_argument(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    token = token_for(settings, await create_user(db))

    bad_id = await gql(AUDIT_LOG, {"patientId": "%%%"}, token=token)
    bad_first = await gql(AUDIT_LOG, {"first": 1000}, token=token)
    bad_cursor = await gql(AUDIT_LOG, {"after": "nope"}, token=token)

    assert [e["extensions"]["field"] for e in bad_id["errors"]] == ["patientId"]
    assert [e["extensions"]["field"] for e in bad_first["errors"]] == ["first"]
    assert [e["extensions"]["field"] for e in bad_cursor["errors"]] == ["after"]


READ_PATIENT = "query($id: ID!) { patient(id: $id) { id name email } }"
LOG_WITH_PATIENT = """
query($p: ID!) {
  auditLog(patientId: $p) {
    edges { node { action entityType entityId fields requestId
      actor { id } patient { id } } }
  }
}
"""


async def test_reading_a_patient_appears_in_the_audit_log(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(settings, therapist)
    pid = encode_id("Patient", patient.id)

    read = await gql(
        READ_PATIENT, {"id": pid}, token=token, **{"x-request-id": "rq-42"}
    )
    log = await gql(LOG_WITH_PATIENT, {"p": pid}, token=token)

    assert read["data"]["patient"]["id"] == pid
    events = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    reads = [e for e in events if e["requestId"] == "rq-42"]
    assert reads == [
        {
            "action": "READ",
            "entityType": "Patient",
            "entityId": pid,
            "fields": ["email", "name"],
            "requestId": "rq-42",
            "actor": {"id": encode_id("User", therapist.id)},
            "patient": {"id": pid},
        }
    ]


async def test_unassigned_admin_reads_the_log_but_not_the_patient(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    therapist = await create_user(db)
    admin = await create_user(db, role=Role.ADMIN)
    patient = await create_patient(db, therapist)
    pid = encode_id("Patient", patient.id)
    await gql(READ_PATIENT, {"id": pid}, token=token_for(settings, therapist))

    log = await gql(LOG_WITH_PATIENT, {"p": pid}, token=token_for(settings, admin))

    events = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    assert [e["action"] for e in events] == ["READ"]
    assert events[0]["patient"] is None
    assert events[0]["actor"] == {"id": encode_id("User", therapist.id)}


LIST_READ = """
query($id: ID!) { patient(id: $id) { id
  sessions(first: 10) { edges { node { id sessionDate notes { keyTopics } } } } } }
"""
LOG_IDS = """
query($p: ID!) {
  auditLog(patientId: $p, first: 50) {
    edges { node { action entityType entityId entityIds fields requestId } }
  }
}
"""


async def test_a_list_read_is_one_row_naming_every_object(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    sessions = []
    for i in range(3):
        row = await create_session(db, patient, therapist, utc(2026, 1, 5 + i, 10))
        await create_notes(db, row)
        sessions.append(row)
    await db.commit()
    token = token_for(settings, therapist)
    pid = encode_id("Patient", patient.id)

    read = await gql(LIST_READ, {"id": pid}, token=token, **{"x-request-id": "rq-list"})
    log = await gql(LOG_IDS, {"p": pid}, token=token)

    assert "errors" not in read, read
    events = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    reads = {e["entityType"]: e for e in events if e["requestId"] == "rq-list"}
    assert set(reads) == {"Patient", "TherapySession", "SessionNotes"}
    # one object: entityId and a one-element entityIds
    assert reads["Patient"]["entityId"] == pid
    assert reads["Patient"]["entityIds"] == [pid]
    # several: one row, entityId null, every object named
    listed = reads["TherapySession"]
    assert listed["entityId"] is None
    assert sorted(listed["entityIds"]) == sorted(
        encode_id("TherapySession", s.id) for s in sessions
    )
    assert listed["fields"] == ["notes", "sessionDate"]
    notes = reads["SessionNotes"]
    assert notes["entityId"] is None
    assert len(notes["entityIds"]) == 3
    assert notes["fields"] == ["keyTopics"]


LIST_READ_MAYBE_NOTES = """
query($id: ID!, $n: Boolean!) { patient(id: $id) { id
  sessions(first: 10) { edges { node { id
    notes @include(if: $n) { keyTopics } } } } } }
"""


async def test_notes_read_are_audited_once_and_notes_skipped_not_at_all(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    """A page records its notes' READ with the sessions; with a directive in
    the selection each note records its own, only when it is returned."""
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    notes = []
    for i in range(3):
        row = await create_session(db, patient, therapist, utc(2026, 1, 5 + i, 10))
        notes.append(await create_notes(db, row))
    await db.commit()
    token = token_for(settings, therapist)
    pid = encode_id("Patient", patient.id)

    for request_id, query, variables in (
        ("rq-page", LIST_READ, {"id": pid}),
        ("rq-skip", LIST_READ_MAYBE_NOTES, {"id": pid, "n": False}),
        ("rq-include", LIST_READ_MAYBE_NOTES, {"id": pid, "n": True}),
    ):
        read = await gql(query, variables, token=token, **{"x-request-id": request_id})
        assert "errors" not in read, read
    log = await gql(LOG_IDS, {"p": pid}, token=token)

    events = [e["node"] for e in log["data"]["auditLog"]["edges"]]
    note_reads = {
        rid: [
            e
            for e in events
            if e["requestId"] == rid and e["entityType"] == "SessionNotes"
        ]
        for rid in ("rq-page", "rq-skip", "rq-include")
    }
    expected = sorted(encode_id("SessionNotes", n.id) for n in notes)
    assert note_reads["rq-skip"] == []
    for rid in ("rq-page", "rq-include"):
        assert len(note_reads[rid]) == 1, rid
        assert sorted(note_reads[rid][0]["entityIds"]) == expected
        assert note_reads[rid][0]["fields"] == ["keyTopics"]


def test_coalescing_keeps_writes_and_distinct_reads_apart() -> None:
    from services.audit import coalesce_reads

    actor, p1, p2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    read, update = AuditAction.READ, AuditAction.UPDATE

    def event(
        action: AuditAction,
        entity: uuid.UUID,
        patient: uuid.UUID,
        fields: tuple[str, ...] = ("status",),
        request_id: str = "r",
    ) -> AuditRecord:
        return AuditRecord(
            actor_id=actor,
            action=action,
            entity_type="TherapySession",
            entity_id=entity,
            patient_id=patient,
            fields=fields,
            request_id=request_id,
            ip_address="ip",
        )

    rows = coalesce_reads(
        [
            event(read, a, p1),
            event(update, a, p1),
            event(read, b, p1),
            event(read, a, p1),  # the same object twice: named once
            event(read, c, p2),  # another patient: its own row
            event(read, c, p1, fields=("notes",)),  # other fields: own row
            event(read, b, p1, request_id="other"),  # other request: own row
        ]
    )

    assert [(r.action, r.entity_id, r.entity_ids) for r in rows] == [
        ("READ", None, (a, b)),
        ("UPDATE", a, None),
        ("READ", c, None),
        ("READ", c, None),
        ("READ", b, None),
    ]
