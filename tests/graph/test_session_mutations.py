from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import AudioFile, AuditEvent, TherapySession, User
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_notes,
    create_patient,
    create_session,
    create_user,
    token_for,
)

SCHEDULE = """
mutation($input: ScheduleSessionInput!) {
  scheduleSession(input: $input) { id status attendance durationMinutes
    events { status previousStatus } therapist { id } }
}
"""
ATTEND = """
mutation($s: ID!, $a: Attendance!) { setAttendance(sessionId: $s, attendance: $a) {
  attendance } }
"""
DELETE = "mutation($s: ID!) { deleteSession(sessionId: $s) }"
EDIT = """
mutation($s: ID!, $input: UpdateNotesInput!) {
  updateSessionNotes(sessionId: $s, input: $input) {
    version source author { id } therapistNotes keyTopics sessionMood
    session { noteVersions { version source } }
    formatted(format: DAP)
  }
}
"""
CREATE_PLAN = """
mutation($input: CreateTreatmentPlanInput!) {
  createTreatmentPlan(input: $input) { id title status goals { description } }
}
"""
UPDATE_PLAN = """
mutation($id: ID!, $input: UpdateTreatmentPlanInput!) {
  updateTreatmentPlan(id: $id, input: $input) { title goals { description status } }
}
"""


async def test_schedule_session_validates_and_records_the_first_event(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(settings, therapist)
    base = {"patientId": encode_id("Patient", patient.id)}

    ok = await gql(
        SCHEDULE,
        {
            "input": {
                **base,
                "sessionDate": "2030-01-02T10:00:00Z",
                "durationMinutes": 50,
            }
        },
        token=token,
    )
    too_long = await gql(
        SCHEDULE,
        {
            "input": {
                **base,
                "sessionDate": "2030-01-02T10:00:00Z",
                "durationMinutes": 601,
            }
        },
        token=token,
    )

    created = ok["data"]["scheduleSession"]
    assert created["status"] == "SCHEDULED"
    assert created["attendance"] == "SCHEDULED"
    assert created["events"] == [{"status": "SCHEDULED", "previousStatus": None}]
    assert created["therapist"]["id"] == encode_id("User", therapist.id)
    assert error_codes(too_long) == ["BAD_USER_INPUT"]
    assert too_long["errors"][0]["extensions"]["field"] == "durationMinutes"


async def test_attendance_and_delete_refuse_other_therapists_and_patients(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    other = await create_user(db)
    account = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=account.id)
    session = await create_session(db, patient, therapist)
    sid = encode_id("TherapySession", session.id)

    foreign = await gql(DELETE, {"s": sid}, token=token_for(settings, other))
    by_patient = await gql(
        ATTEND, {"s": sid, "a": "NO_SHOW"}, token=token_for(settings, account)
    )
    done = await gql(
        ATTEND, {"s": sid, "a": "NO_SHOW"}, token=token_for(settings, therapist)
    )

    assert error_codes(foreign) == ["NOT_FOUND"]
    assert error_codes(by_patient) == ["FORBIDDEN"]
    assert done["data"]["setAttendance"]["attendance"] == "NO_SHOW"


async def _session_with_audio(
    db: AsyncSession, settings: Settings
) -> tuple[User, TherapySession, str]:
    """A therapist's session with a stored audio file; returns its storage key."""
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    session = await create_session(db, patient, therapist)
    key = f"test-audio/{session.id}.mp3"
    path = settings.storage_path / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"ID3 fake audio")
    db.add(
        AudioFile(
            session_id=session.id,
            filename="s.mp3",
            content_type="audio/mpeg",
            size_bytes=14,
            storage_key=key,
        )
    )
    await db.flush()
    return therapist, session, key


async def test_delete_session_removes_its_audio_file(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist, session, key = await _session_with_audio(db, settings)
    path = settings.storage_path / key

    body = await gql(
        DELETE,
        {"s": encode_id("TherapySession", session.id)},
        token=token_for(settings, therapist),
    )

    assert body["data"]["deleteSession"] is True
    assert not path.exists()
    assert await db.get(TherapySession, session.id, populate_existing=True) is None
    left = await db.scalar(select(AudioFile.id).where(AudioFile.storage_key == key))
    assert left is None
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert "DELETE" in actions


async def test_delete_rolled_back_by_a_later_error_keeps_row_and_audio_file(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist, session, key = await _session_with_audio(db, settings)
    path = settings.storage_path / key

    # the second field fails, so the whole mutation is rolled back
    body = await gql(
        "mutation($s: ID!) { ok: deleteSession(sessionId: $s) "
        'bad: deleteSession(sessionId: "not-an-id") }',
        {"s": encode_id("TherapySession", session.id)},
        token=token_for(settings, therapist),
    )

    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert path.exists()
    assert await db.get(TherapySession, session.id, populate_existing=True)


async def test_update_notes_adds_a_therapist_version_and_keeps_the_old(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    session = await create_session(db, patient, therapist)
    await create_notes(db, session)
    variables = {
        "s": encode_id("TherapySession", session.id),
        "input": {"therapistNotes": "Revised.", "sessionMood": "POSITIVE"},
    }

    body = await gql(EDIT, variables, token=token_for(settings, therapist))

    notes = body["data"]["updateSessionNotes"]
    assert notes["version"] == 2
    assert notes["source"] == "THERAPIST"
    assert notes["author"]["id"] == encode_id("User", therapist.id)
    assert notes["therapistNotes"] == "Revised."
    assert notes["keyTopics"] == ["sleep", "work stress"]
    assert notes["sessionMood"] == "POSITIVE"
    assert notes["session"]["noteVersions"] == [
        {"version": 2, "source": "THERAPIST"},
        {"version": 1, "source": "AI"},
    ]
    assert notes["formatted"].startswith("Data\n")
    assert "Revised." in notes["formatted"]


async def test_treatment_plan_goals_are_replaced_as_a_list(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(settings, therapist)
    goals = [{"description": "Sleep 7h"}, {"description": "Walk daily"}]

    created = await gql(
        CREATE_PLAN,
        {
            "input": {
                "patientId": encode_id("Patient", patient.id),
                "title": "Plan A",
                "goals": goals,
            }
        },
        token=token,
    )
    plan = created["data"]["createTreatmentPlan"]
    updated = await gql(
        UPDATE_PLAN,
        {
            "id": plan["id"],
            "input": {"goals": [{"description": "Run", "status": "DONE"}]},
        },
        token=token,
    )
    empty_goal = await gql(
        UPDATE_PLAN,
        {"id": plan["id"], "input": {"goals": [{"description": " "}]}},
        token=token,
    )

    assert [g["description"] for g in plan["goals"]] == ["Sleep 7h", "Walk daily"]
    assert updated["data"]["updateTreatmentPlan"] == {
        "title": "Plan A",
        "goals": [{"description": "Run", "status": "DONE"}],
    }
    assert empty_goal["errors"][0]["extensions"]["field"] == "goals[0].description"


async def test_update_notes_validates_items_and_audits_the_parts_set(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    session = await create_session(db, patient, therapist)
    await create_notes(db, session)
    token = token_for(settings, therapist)
    sid = encode_id("TherapySession", session.id)
    strategy = {"name": "Walks", "category": "behavioral", "description": "daily"}

    too_long = await gql(
        EDIT,
        {
            "s": sid,
            "input": {"strategies": [strategy, {**strategy, "context": "x" * 2001}]},
        },
        token=token,
    )
    assert error_codes(too_long) == ["BAD_USER_INPUT"]
    assert too_long["errors"][0]["extensions"]["field"] == "strategies[1].context"

    body = await gql(
        EDIT,
        {
            "s": sid,
            "input": {"keyTopics": None, "strategies": [strategy], "sessionMood": None},
        },
        token=token,
    )
    notes = body["data"]["updateSessionNotes"]
    assert notes["version"] == 2
    assert notes["keyTopics"] == []
    assert notes["sessionMood"] == "NEUTRAL"  # null keeps the latest's mood
    fields = (
        await db.execute(
            select(AuditEvent.fields).where(
                AuditEvent.action == "CREATE", AuditEvent.entity_type == "SessionNotes"
            )
        )
    ).scalars()
    assert list(fields) == [["key_topics", "session_mood", "strategies"]]
