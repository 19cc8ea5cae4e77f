"""The nested patients → sessions → notes/transcript query issues the same
number of SQL statements for 5 patients as for 50 (no query per parent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.enums import Attendance, Mood, MoodTrajectory, NoteSource, SessionStatus
from db.models import (
    Patient,
    PatientTherapist,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    User,
)
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL
from tests.factories import NOTE_CONTENT, create_user, days, token_for, utc

NESTED = """
query($n: Int!) {
  patients(first: $n) { edges { node {
    therapists { id }
    sessions(first: 5) { edges { node { notes { keyTopics } transcript { text } } } }
  } } }
}
"""


async def _practice(db: AsyncSession, therapist: User, patients: int) -> None:
    """``patients`` patients with 6 processed sessions each (one page is 5)."""
    rows: list[Any] = []
    for i in range(patients):
        p = Patient(
            name=f"Patient {i:03d}",
            email=f"n{i}@example.test",
            practice_id=therapist.practice_id,
        )
        db.add(p)
        await db.flush()
        rows.append(PatientTherapist(patient_id=p.id, therapist_id=therapist.id))
        for j in range(6):
            s = TherapySession(
                patient_id=p.id,
                therapist_id=therapist.id,
                session_date=utc(2026, 1, 1) + days(j * 7),
                attendance=Attendance.COMPLETED,
                status=SessionStatus.PROCESSED,
            )
            db.add(s)
            await db.flush()
            rows.append(
                SessionNotes(
                    session_id=s.id,
                    version=1,
                    source=NoteSource.AI,
                    content=NOTE_CONTENT.to_dict(),
                    session_mood=Mood.POSITIVE,
                    mood_trajectory=MoodTrajectory.IMPROVING,
                )
            )
            rows.append(Transcript(session_id=s.id, text=f"t{i}-{j}", segments=[]))
    db.add_all(rows)
    await db.flush()


async def _statements(
    connection: AsyncConnection,
    gql: GQL,
    token: str,
    query: str,
    variables: dict[str, Any],
    *,
    app_only: bool = False,
) -> tuple[list[str], dict[str, Any]]:
    """The SQL one operation sends, and its answer; ``app_only`` leaves out
    the test harness's SAVEPOINT/RELEASE around the app's commit."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        sql: str = args[2]
        if not (app_only and sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))):
            statements.append(sql)

    engine = connection.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        body = await gql(query, variables, token=token)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements, body


async def _count_statements(
    connection: AsyncConnection, gql: GQL, token: str, n: int
) -> tuple[int, dict[str, Any]]:
    statements, body = await _statements(connection, gql, token, NESTED, {"n": n})
    return len(statements), body


async def test_statement_count_is_the_same_for_5_and_50_patients(
    db: AsyncSession, connection: AsyncConnection, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    await _practice(db, therapist, 50)
    await db.commit()
    token = token_for(settings, therapist)

    small, small_body = await _count_statements(connection, gql, token, 5)
    large, large_body = await _count_statements(connection, gql, token, 50)

    assert "errors" not in large_body, large_body
    assert len(small_body["data"]["patients"]["edges"]) == 5
    edges = large_body["data"]["patients"]["edges"]
    assert len(edges) == 50
    assert all(len(e["node"]["sessions"]["edges"]) == 5 for e in edges)
    first = edges[0]["node"]["sessions"]["edges"][0]["node"]
    assert first["notes"]["keyTopics"] == ["sleep", "work stress"]
    assert first["transcript"]["text"].startswith("t0-")
    assert small == large
    # savepoint, caller, patients page, therapists, sessions with their latest
    # notes (one windowed query), transcripts, the audit INSERT, release: 8
    # (README)
    assert large == 8, large


BENCH_NESTED = """
query($n: Int!) { patients(first: $n) { edges { node { id name
  sessions(first: 10) { edges { node { id sessionDate
    notes { keyTopics sessionMood topicSummary } } } } } } } }
"""


async def test_the_benchmark_nested_list_is_four_statements(
    db: AsyncSession, connection: AsyncConnection, gql: GQL, settings: Settings
) -> None:
    """Scenario (a) of bench/: caller, patients, sessions with their notes,
    the audit INSERT, whatever the page size (the test's savepoints aside)."""
    therapist = await create_user(db)
    await _practice(db, therapist, 12)
    await db.commit()
    token = token_for(settings, therapist)
    counts = []
    for n in (3, 12):
        statements, body = await _statements(
            connection, gql, token, BENCH_NESTED, {"n": n}, app_only=True
        )
        assert "errors" not in body, body
        edges = body["data"]["patients"]["edges"]
        assert len(edges) == n
        sessions = [s for e in edges for s in e["node"]["sessions"]["edges"]]
        notes = [s["node"]["notes"] for s in sessions]
        assert len(notes) == 6 * n
        assert all(x["keyTopics"] == ["sleep", "work stress"] for x in notes)
        counts.append(len(statements))
    assert counts == [4, 4], counts


DETAIL = """
query($id: ID!) { session(id: $id) { id status patient { id name }
  therapist { id fullName } transcript { text segments { start text } }
  notes { version keyTopics therapistNotes } events { status previousStatus at } } }
"""
# the same events through the loader (node does not fold them into its query)
EVENTS_BY_NODE = """
query($id: ID!) { node(id: $id) { ... on TherapySession {
  events { status previousStatus at } } } }
"""


async def test_a_session_detail_page_is_three_statements(
    db: AsyncSession, connection: AsyncConnection, gql: GQL, settings: Settings
) -> None:
    """Scenario (b) of bench/: the caller, the session with its patient,
    therapist, transcript, latest notes and status history (one statement),
    and the audit INSERT."""
    therapist = await create_user(db)
    await _practice(db, therapist, 1)
    sid = await db.scalar(
        select(TherapySession.id)
        .where(TherapySession.therapist_id == therapist.id)
        .limit(1)
    )
    assert sid is not None
    for status, previous, when in (
        (SessionStatus.UPLOADING, SessionStatus.SCHEDULED, utc(2026, 1, 5, 11)),
        (SessionStatus.TRANSCRIBING, SessionStatus.UPLOADING, utc(2026, 1, 5, 11, 1)),
        (SessionStatus.PROCESSED, SessionStatus.TRANSCRIBING, utc(2026, 1, 5, 11, 1)),
    ):
        db.add(
            SessionStatusEvent(
                session_id=sid, status=status, previous_status=previous, at=when
            )
        )
    await db.commit()
    token = token_for(settings, therapist)
    variables = {"id": encode_id("TherapySession", sid)}
    statements, body = await _statements(
        connection, gql, token, DETAIL, variables, app_only=True
    )

    assert "errors" not in body, body
    detail = body["data"]["session"]
    assert detail["patient"]["name"] == "Patient 000"
    assert detail["transcript"]["text"].startswith("t0-")
    assert detail["notes"]["keyTopics"] == ["sleep", "work stress"]
    assert detail["therapist"]["id"] == encode_id("User", therapist.id)
    assert len(statements) == 3, statements
    # oldest first, exactly as the loader answers them
    assert [e["status"] for e in detail["events"]] == [
        "UPLOADING",
        "TRANSCRIBING",
        "PROCESSED",
    ]
    assert detail["events"][0] == {
        "status": "UPLOADING",
        "previousStatus": "SCHEDULED",
        "at": "2026-01-05T11:00:00+00:00",
    }
    by_node = await gql(EVENTS_BY_NODE, variables, token=token)
    assert by_node["data"]["node"]["events"] == detail["events"]
