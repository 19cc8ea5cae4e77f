"""schema/fastexec gives eligible fields a direct resolve function; the answers
must be exactly what strawberry's own path gives, errors and audit included."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated, Any

import httpx
import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import Info

from app import create_app
from db.enums import Role
from db.models import AuditEvent
from resolvers.ids import encode_id
from schema import build_schema
from schema.fastexec import install
from services.audit import AuditAction, AuditRecord, write_events
from settings import Settings
from tests.factories import (
    create_notes,
    create_patient,
    create_plan,
    create_session,
    create_transcript,
    create_user,
    token_for,
    utc,
)

EVERYTHING = """
query($s: ID!, $a: ID!) {
  me { id fullName }
  session(id: $s) { id status sessionDate
    patient { id name dateOfBirth therapists { id fullName } treatmentPlans {
      id title goals { id description interventions } patient { id } } }
    therapist { id fullName }
    transcript { text language segments { start end speaker text } }
    notes { id version keyTopics topicSummary patientSummary therapistNotes
      strategies { name category } actionItems { task } riskFlags { type severity }
      author { id } session { id } }
    noteVersions { id version }
    events { status session { id } }
  }
  patients { edges { node { id sessions { edges { node { id notes { id
      soap: formatted(format: SOAP) } } } }
    done: sessions(first: 1, status: PROCESSED, from: "2026-01-01T00:00:00Z") {
      edges { node { id } } }
    late: sessions(first: 1, to: "2020-01-01T00:00:00+02:00") { edges { node { id } } }
    progress(weeks: 4) { totalSessions } } } }
  node(id: $a) { id ... on AuditEvent {
    entityId entityIds actor { id } patient { id } } }
}
"""


def test_every_rewritten_field_is_eligible_and_root_types_are_untouched() -> None:
    plain = build_schema(fast_execution=False)
    rewritten = install(plain)
    assert "SessionNotes.keyTopics" in rewritten
    assert "TherapySession.id" in rewritten
    # fields with arguments: strawberry converts them, once per value
    assert {"Patient.sessions", "Patient.progress", "SessionNotes.formatted"} <= set(
        rewritten
    )
    assert not any(name.startswith(("Query.", "Mutation.")) for name in rewritten)
    assert not any(name.startswith("Subscription.") for name in rewritten)


async def _ask(
    settings: Settings,
    factory: async_sessionmaker[AsyncSession],
    fast_execution: bool,
    token: str,
    variables: dict[str, Any],
) -> dict[str, Any]:
    schema = build_schema(fast_execution=fast_execution)
    app = create_app(settings, session_factory=factory, schema=schema)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.post(
            "/graphql",
            json={"query": EVERYTHING, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    body.pop("extensions", None)
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


async def test_the_same_answers_with_and_without_direct_resolvers(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    therapist = await create_user(db)
    patient_user = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=patient_user.id)
    row = await create_session(db, patient, therapist, utc(2026, 2, 2, 9))
    await create_transcript(db, row, "Hello there.")
    await create_notes(db, row)
    await create_notes(db, row, version=2, author_id=therapist.id)
    await create_plan(db, patient)
    event_id = uuid.uuid4()
    await write_events(
        db,
        [
            AuditRecord(
                id=event_id,
                actor_id=therapist.id,
                action=AuditAction.READ,
                entity_type="TherapySession",
                entity_ids=(row.id, uuid.uuid4()),
                patient_id=patient.id,
                fields=("status",),
            )
        ],
    )
    await db.commit()
    variables = {
        "s": encode_id("TherapySession", row.id),
        "a": encode_id("AuditEvent", event_id),
    }

    answers = []
    for user in (therapist, patient_user):
        token = token_for(settings, user)
        before = await db.scalar(select(func.count()).select_from(AuditEvent))
        slow = await _ask(settings, session_factory, False, token, variables)
        middle = await db.scalar(select(func.count()).select_from(AuditEvent))
        quick = await _ask(settings, session_factory, True, token, variables)
        after = await db.scalar(select(func.count()).select_from(AuditEvent))

        assert quick == slow
        # and the same audit rows written
        assert (after or 0) - (middle or 0) == (middle or 0) - (before or 0)
        answers.append(quick)
    mine, theirs = answers
    # the therapist sees everything; the patient is refused the hidden fields
    assert "errors" not in mine, mine
    assert mine["data"]["session"]["notes"]["keyTopics"] == ["sleep", "work stress"]
    assert len(mine["data"]["node"]["entityIds"]) == 2
    assert {e["extensions"]["code"] for e in theirs["errors"]} == {"FORBIDDEN"}


@strawberry.enum
class Shade(enum.Enum):
    DARK = "dark"
    LIGHT = "light"


@strawberry.input
class Window:
    size: int = 3


@strawberry.type
class Row:
    n: int

    @strawberry.field
    @staticmethod
    def echo(
        root: Row,
        info: Info[Any, None],
        first: int | None = None,
        shade: Shade = Shade.DARK,
        from_: Annotated[str | None, strawberry.argument(name="from")] = None,
        window: Window | None = None,
    ) -> str:
        size = window.size if window is not None else None
        return f"{root.n}:{first}:{shade.name}:{from_}:{size}"


@strawberry.type
class RowQuery:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [Row(n=1), Row(n=2)]


def test_arguments_are_converted_as_strawberry_converts_them() -> None:
    """Fields with arguments: each parent's values converted (Python names,
    enums, input types, defaults) as strawberry would, values remembered per
    field without mixing one call's up with another's."""
    query = """{ rows { a: echo(first: 1) b: echo(first: 2, shade: LIGHT)
      c: echo(first: 1, from: "x") d: echo(window: {}) e: echo(window: {size: 5})
      f: echo } }"""
    plain = strawberry.Schema(query=RowQuery)
    quick = strawberry.Schema(query=RowQuery)
    assert "Row.echo" in install(quick)
    for _ in range(2):  # the second time from what was remembered
        got, expected = quick.execute_sync(query), plain.execute_sync(query)
        assert got.errors is None
        assert got.data == expected.data
    assert got.data is not None
    assert got.data["rows"][1] == {
        "a": "2:1:DARK:None:None",
        "b": "2:2:LIGHT:None:None",
        "c": "2:1:DARK:x:None",
        "d": "2:None:DARK:None:3",
        "e": "2:None:DARK:None:5",
        "f": "2:None:DARK:None:None",
    }
