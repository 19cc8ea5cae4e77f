"""Micro-benchmarks of hot paths (pytest-benchmark). Not run by default:
``python3 bootstrap.py test -m bench tests/bench``."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from graphql import parse, validate

from db.encryption import Keyring
from db.enums import Mood, MoodTrajectory
from db.queries.pagination import decode_cursor, encode_cursor
from resolvers.ids import encode_id, parse_id
from schema import schema
from schema.types.transcript import TranscriptSegmentType
from services.note_format import NoteFormat, render
from services.notes import NoteContent
from tests.factories import utc

pytestmark = pytest.mark.bench

NESTED = """query Nested { patients(first: 50) { edges { node { id name
  sessions(first: 10) { edges { node { id sessionDate
    notes { keyTopics sessionMood topicSummary } } } } } } } }"""


def test_global_id_round_trip(benchmark: Any) -> None:
    value = uuid.uuid4()
    result = benchmark(lambda: parse_id(encode_id("TherapySession", value)))
    assert result == ("TherapySession", value)


def test_phi_encrypt_decrypt(benchmark: Any) -> None:
    keyring = Keyring(os.urandom(32))
    text = "therapist notes " * 80
    assert benchmark(lambda: keyring.decrypt(keyring.encrypt(text))) == text


def test_cursor_round_trip(benchmark: Any) -> None:
    values = [utc(2026, 1, 2, 3, 4), uuid.uuid4()]
    assert benchmark(lambda: decode_cursor(encode_cursor(values), 2)) == values


def test_parse_and_validate_the_nested_query(benchmark: Any) -> None:
    gql_schema = schema._schema

    def run() -> int:
        return len(validate(gql_schema, parse(NESTED)))

    assert benchmark(run) == 0


def test_render_soap(benchmark: Any) -> None:
    content = NoteContent.model_validate(
        {
            "key_topics": ["sleep", "work stress"],
            "topic_summary": "Sleep and work.",
            "therapist_notes": "Observed " * 150,
            "patient_summary": "Summary " * 100,
        }
    )
    out = benchmark(
        lambda: render(content, Mood.NEUTRAL, MoodTrajectory.STABLE, NoteFormat.SOAP)
    )
    assert "Subjective" in out


def test_coalesce_the_reads_of_a_nested_page(benchmark: Any) -> None:
    """The audit of scenario (a): 50 patients x (1 + 10 sessions + 10 notes)
    READ events coalesce into one row per (type, patient)."""
    from services.audit import AuditAction, AuditRecord, coalesce_reads

    actor = uuid.uuid4()
    events = []
    for _ in range(50):
        patient = uuid.uuid4()
        for kind, n in (("Patient", 1), ("TherapySession", 10), ("SessionNotes", 10)):
            events += [
                AuditRecord(
                    actor_id=actor,
                    action=AuditAction.READ,
                    entity_type=kind,
                    entity_id=uuid.uuid4(),
                    patient_id=patient,
                    fields=("name",),
                    request_id="r",
                    ip_address="127.0.0.1",
                )
                for _ in range(n)
            ]
    assert len(benchmark(lambda: coalesce_reads(events))) == 150


def test_shared_result_payload(benchmark: Any) -> None:
    """One fan-out event: the payload serialised once, then one frame per
    subscription (what each connection writer builds)."""
    import orjson
    from strawberry.types import ExecutionResult

    from schema.fanout_keys import next_payload

    result = ExecutionResult(
        data={"sessionStatusChanged": {"status": "UPLOADING", "session": {"id": "x"}}},
        errors=None,
    )

    def run() -> int:
        payload = next_payload(result).decode()
        frames = [
            '{"id":%s,"type":"next","payload":%s}'  # noqa: UP031
            % (orjson.dumps(str(i)).decode(), payload)
            for i in range(1000)
        ]
        return len(frames)

    assert benchmark(run) == 1000


def test_complete_a_transcripts_segments(benchmark: Any) -> None:
    """The ~400 segments of a 6,000-word transcript through the executor
    ((b)'s largest part), with the leaf-record completion of schema/fastexec."""
    import strawberry

    from schema.fastexec import install

    segments = [
        TranscriptSegmentType(
            index=i,
            start=i * 4.5,
            end=i * 4.5 + 4.0,
            speaker="A" if i % 2 else "B",
            role=None,
            text="word " * 15,
        )
        for i in range(400)
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def segments(self) -> list[TranscriptSegmentType]:
            return segments

    local = strawberry.Schema(query=Query)
    install(local)
    query = "{ segments { start end speaker text } }"
    result = benchmark(lambda: local.execute_sync(query))
    assert result.errors is None
    assert len(result.data["segments"]) == 400


def test_complete_a_page_of_connections_with_children(benchmark: Any) -> None:
    """(a)'s shape below the patients: 50 objects with a list of 10 children
    and a repeatable child each, completed by schema/fastexec's one-step
    path (the list, its items and the child in the same step)."""
    from tests.schema.test_nested_plans import Item, box, box_schema, run_query

    boxes = [
        box(str(i), items=[Item(s=str(j), n=j) for j in range(10)]) for i in range(50)
    ]
    local = box_schema(boxes, fast=True)
    query = "{ boxes { label items { s n } picked { s } } }"
    result, _ = benchmark(lambda: run_query(local, query))
    assert result.errors is None
    assert result.data is not None
    assert len(result.data["boxes"]) == 50
