"""Every Node type, automatically: another therapist cannot read it, and
nobody of another practice can, in any role (ADMIN included).

The Node types are read from the schema itself; each needs a factory below,
so a new type without one fails here until its cross-therapist test exists.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import graphql
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from db.models import Invitation, Practice, User
from resolvers.ids import encode_id, parse_id
from schema import schema
from services.audit import AuditAction, AuditRecord, write_events
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_export_job,
    create_notes,
    create_patient,
    create_plan,
    create_practice,
    create_session,
    create_user,
    token_for,
)

NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"

Factory = Callable[[AsyncSession, User], Awaitable[uuid.UUID]]


async def _user(db: AsyncSession, owner: User) -> uuid.UUID:
    return owner.id


async def _patient(db: AsyncSession, owner: User) -> uuid.UUID:
    return (await create_patient(db, owner)).id


async def _session(db: AsyncSession, owner: User) -> uuid.UUID:
    return (await create_session(db, await create_patient(db, owner), owner)).id


async def _notes(db: AsyncSession, owner: User) -> uuid.UUID:
    session = await create_session(db, await create_patient(db, owner), owner)
    return (await create_notes(db, session)).id


async def _plan(db: AsyncSession, owner: User) -> uuid.UUID:
    return (await create_plan(db, await create_patient(db, owner))).id


async def _export_job(db: AsyncSession, owner: User) -> uuid.UUID:
    job = await create_export_job(db, owner, (await create_patient(db, owner)).id)
    return job.id


async def _audit_event(db: AsyncSession, owner: User) -> uuid.UUID:
    patient = await create_patient(db, owner)
    event_id = uuid.uuid4()
    await write_events(
        db,
        [
            AuditRecord(
                id=event_id,
                at=utcnow(),
                actor_id=owner.id,
                action=AuditAction.READ,
                entity_type="Patient",
                entity_id=patient.id,
                patient_id=patient.id,
                fields=("name",),
            )
        ],
    )
    return event_id


async def _practice(db: AsyncSession, owner: User) -> uuid.UUID:
    # a practice is seen by its members: the owner moves into a new one
    practice: Practice = await create_practice(db)
    owner.practice_id = practice.id
    await db.flush()
    return practice.id


async def _invitation(db: AsyncSession, owner: User) -> uuid.UUID:
    invitation = Invitation(
        practice_id=owner.practice_id,
        email=f"invited-{uuid.uuid4().hex[:8]}@example.test",
        role=Role.PATIENT,
        patient_id=(await create_patient(db, owner)).id,
        invited_by_id=owner.id,
        token_hash=uuid.uuid4().hex,
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.add(invitation)
    await db.flush()
    return invitation.id


async def _risk_alert(db: AsyncSession, owner: User) -> uuid.UUID:
    from services.alerts import raise_for_notes
    from services.notes import NoteContent, RiskFlag

    session = await create_session(db, await create_patient(db, owner), owner)
    content = NoteContent(
        risk_flags=[RiskFlag(type="self-harm", evidence="x", severity="HIGH")]
    )
    notes = await create_notes(db, session, content=content.to_dict())
    alert = await raise_for_notes(db, session, notes, content)
    assert alert is not None
    return alert.id


FACTORIES: dict[str, Factory] = {
    "User": _user,
    "Patient": _patient,
    "TherapySession": _session,
    "SessionNotes": _notes,
    "TreatmentPlan": _plan,
    "ExportJob": _export_job,
    "AuditEvent": _audit_event,
    "Practice": _practice,
    "Invitation": _invitation,
    "RiskAlert": _risk_alert,
}

SDL = graphql.build_schema(schema.as_str())


def node_types() -> list[str]:
    node = SDL.get_type("Node")
    assert isinstance(node, graphql.GraphQLInterfaceType)
    return sorted(t.name for t in SDL.get_possible_types(node))


def root_fields_by_id(type_name: str) -> list[str]:
    """Query fields ``f(id: ID!)`` that return ``type_name``."""
    query = SDL.query_type
    assert query is not None
    found = []
    for name, field in query.fields.items():
        returned = graphql.get_named_type(field.type)
        arg = field.args.get("id")
        if returned.name == type_name and arg is not None:
            found.append(name)
    return found


def test_every_node_type_has_a_factory() -> None:
    assert set(node_types()) <= set(FACTORIES), "add a factory for the new Node type"


@pytest.mark.parametrize("type_name", node_types())
async def test_other_therapist_cannot_read(
    gql: GQL, db: AsyncSession, settings: Settings, type_name: str
) -> None:
    owner = await create_user(db)
    other = await create_user(db)
    await create_patient(db, other)  # B has a practice of their own
    factory = FACTORIES.get(type_name)
    assert factory is not None, f"no factory for Node type {type_name}"
    gid = encode_id(type_name, await factory(db, owner))
    owner_token, token = token_for(settings, owner), token_for(settings, other)

    own = await gql(NODE, {"id": gid}, token=owner_token)
    by_node = await gql(NODE, {"id": gid}, token=token)
    by_nodes = await gql(NODES, {"ids": [gid, gid]}, token=token)
    roots = {
        f: await gql(
            f"query($id: ID!) {{ {f}(id: $id) {{ id }} }}", {"id": gid}, token=token
        )
        for f in root_fields_by_id(type_name)
    }

    assert own["data"]["node"] == {"id": gid}, "the owner must see it (factory check)"
    # extensions.cost rides along on every accepted operation
    assert by_node["data"] == {"node": None}
    assert "errors" not in by_node
    assert by_nodes["data"] == {"nodes": [None, None]}
    assert "errors" not in by_nodes
    for field, body in roots.items():
        # hidden, never FORBIDDEN (IDs cannot be probed): null or NOT_FOUND
        assert (body.get("data") or {}).get(field) is None, field
        assert set(error_codes(body)) <= {"NOT_FOUND"}, field


async def test_other_therapist_gets_not_found_from_audit_log_of_a_patient(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    owner = await create_user(db)
    other = await create_user(db)
    patient_id = encode_id("Patient", await _patient(db, owner))

    body = await gql(
        "query($p: ID!) { auditLog(patientId: $p) { totalCount } }",
        {"p": patient_id},
        token=token_for(settings, other),
    )

    assert error_codes(body) == ["NOT_FOUND"]


# who probes from practice B: every role, and a therapist who administers B
PROBERS = ["THERAPIST", "PRACTICE_ADMIN_THERAPIST", "ADMIN", "PATIENT"]


async def prober_of(db: AsyncSession, practice: Practice, kind: str) -> User:
    """A user of ``practice`` of the given kind, with a patient of their own
    (a PATIENT is linked to a record of B), so their scoping is not empty."""
    if kind == "PATIENT":
        user = await create_user(db, practice, role=Role.PATIENT)
        therapist = await create_user(db, practice)
        await create_patient(db, therapist, user_id=user.id)
        return user
    if kind == "ADMIN":
        return await create_user(db, practice, role=Role.ADMIN)
    user = await create_user(
        db, practice, is_practice_admin=kind == "PRACTICE_ADMIN_THERAPIST"
    )
    await create_patient(db, user)
    return user


@pytest.mark.parametrize("kind", PROBERS)
async def test_another_practice_reads_no_node_of_any_type(
    gql: GQL, db: AsyncSession, settings: Settings, kind: str
) -> None:
    # given every Node type in practice A, made by A's therapist (who also
    # administers A), and a user of practice B
    owner = await create_user(db, is_practice_admin=True)
    await create_user(db, role=Role.ADMIN)  # A has an admin of its own too
    prober = await prober_of(db, await create_practice(db), kind)
    ids = [
        encode_id(t, await FACTORIES[t](db, owner))
        for t in node_types()
        if t != "Practice"
    ] + [encode_id("Practice", owner.practice_id)]
    owner_token, token = token_for(settings, owner), token_for(settings, prober)

    # when B asks for each of them by node, nodes and every root field by id
    own = await gql(NODES, {"ids": ids}, token=owner_token)
    by_nodes = await gql(NODES, {"ids": ids}, token=token)
    answers = []
    for gid in ids:
        answers.append(await gql(NODE, {"id": gid}, token=token))
        type_name = parse_id(gid)[0]
        for f in root_fields_by_id(type_name):
            doc = f"query($id: ID!) {{ {f}(id: $id) {{ id }} }}"
            answers.append(await gql(doc, {"id": gid}, token=token))

    # then the owner sees all, B sees none of them and no error but NOT_FOUND
    assert None not in own["data"]["nodes"], "factory check"
    assert by_nodes["data"] == {"nodes": [None] * len(ids)}
    for body in answers:
        assert all(v is None for v in (body.get("data") or {}).values()), body
        assert set(error_codes(body)) <= {"NOT_FOUND"}, body
