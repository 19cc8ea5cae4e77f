"""Analytics through the real schema over HTTP: scoping, roles, bad input, and
the figures of a random-free practice against the reference."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from resolvers.ids import encode_id
from settings import Settings
from tests.analytics import reference as ref
from tests.analytics.reference import Sess, World
from tests.analytics.world import load, therapists
from tests.conftest import GQL, error_codes
from tests.factories import create_patient, create_user, token_for

ALL = """
query All($pid: ID!) {
  analytics {
    overview { totalPatients activePatients sessionsThisWeek sessionsThisMonth
               upcomingSessions completionRate }
    patientProgress(patientId: $pid, weeks: 6) {
      patient { id name }
      totalSessions attendanceRate
      recentSessions { id attendance }
      moodTrend { current trajectory changePercent }
      commonTopics { topic frequency }
      weekly { weekStart sessionsCount avgMoodScore topics { topic frequency } }
    }
    sessionTrends(period: LAST_90_DAYS, granularity: WEEK) {
      period granularity
      dataPoints { date sessionsCompleted sessionsCancelled avgSessionDurationMin
                   completionRate }
      summary { totalSessions avgPerDay peakDay completionRate }
    }
    commonTopics(limit: 5, weeks: 8) { topic frequency patientsAffected trend }
  }
}
"""

PROGRESS = """
query P($pid: ID!, $weeks: Int) {
  analytics { patientProgress(patientId: $pid, weeks: $weeks) { totalSessions } }
}
"""

TOPICS = """
query T($limit: Int, $weeks: Int) {
  analytics { commonTopics(limit: $limit, weeks: $weeks) { topic } }
}
"""

OWN_PROGRESS = """
query Own($id: ID!) {
  patient(id: $id) { progress(weeks: 4) { totalSessions weekly { weekStart } } }
}
"""

OVERVIEW = "{ analytics { overview { totalPatients } } }"


def _world(t: uuid.UUID, o: uuid.UUID, now: datetime) -> World:
    a, b = uuid.uuid4(), uuid.uuid4()
    moods = [2, 3, 3, 4, 5]
    sessions = [
        Sess(
            t,
            a,
            now - timedelta(days=7 * i + 1),
            "COMPLETED",
            50,
            moods[i % 5],
            ["anxiety", "sleep"] if i % 2 else ["anxiety"],
        )
        for i in range(8)
    ]
    sessions += [
        Sess(t, b, now - timedelta(days=3), "NO_SHOW"),
        Sess(t, b, now - timedelta(days=10), "CANCELLED"),
        Sess(t, a, now + timedelta(days=2), "SCHEDULED"),
        Sess(o, b, now - timedelta(days=2), "COMPLETED", 40, 1, ["grief"]),
    ]
    return World("UTC", now, sessions, {a: (False, {t}), b: (False, {t, o})})


async def test_every_field_matches_the_reference(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    # given (not across midnight UTC, where every day, week and month turns)
    t, o = await therapists(db, 2)
    await _away_from_midnight()
    before = datetime.now(UTC)
    world = _world(t.id, o.id, before)
    await load(db, world)
    pid = next(iter(world.patients))

    # when
    body = await gql(
        ALL, {"pid": encode_id("Patient", pid)}, token=token_for(settings, t)
    )
    world.now = datetime.now(UTC)

    # then: the reference at the moment of the answer (same day assumed)
    assert "errors" not in body, body
    got = body["data"]["analytics"]
    assert world.day(before) == world.today
    assert got["overview"] == ref.overview(world, t.id)
    progress = got["patientProgress"]
    want = ref.patient_progress(world, pid, 6)
    assert {k: progress[k] for k in want} == want
    assert progress["patient"]["id"] == encode_id("Patient", pid)
    assert len(progress["recentSessions"]) == 5
    assert got["sessionTrends"] == ref.session_trends(
        world, t.id, "LAST_90_DAYS", "WEEK"
    )
    assert got["commonTopics"] == ref.common_topics(world, t.id, 5, 8)
    assert got["commonTopics"][0]["frequency"] == 8


async def _away_from_midnight() -> None:
    now = datetime.now(UTC)
    left = (now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(1)) - now
    if left < timedelta(seconds=30):
        await asyncio.sleep(left.total_seconds() + 1)


async def test_another_therapists_patient_is_not_found(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    # given
    mine, theirs = await therapists(db, 2)
    patient = await create_patient(db, theirs)

    # when
    body = await gql(
        PROGRESS,
        {"pid": encode_id("Patient", patient.id)},
        token=token_for(settings, mine),
    )

    # then
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["data"] is None


async def test_another_therapists_sessions_stay_out_of_the_practice(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    # given: only the other therapist has patients and sessions
    mine, theirs = await therapists(db, 2)
    now = datetime.now(UTC)
    world = _world(theirs.id, theirs.id, now)
    await load(db, world)

    # when
    body = await gql(TOPICS, {}, token=token_for(settings, mine))
    overview = await gql(OVERVIEW, {}, token=token_for(settings, mine))

    # then
    assert body["data"]["analytics"]["commonTopics"] == []
    assert overview["data"]["analytics"]["overview"]["totalPatients"] == 0


async def test_a_patient_is_forbidden_analytics_but_sees_its_own_progress(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    # given
    (t,) = await therapists(db, 1)
    account = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, t, user_id=account.id)
    other = await create_patient(db, t)
    token = token_for(settings, account)

    # when
    forbidden = await gql(OVERVIEW, {}, token=token)
    own = await gql(OWN_PROGRESS, {"id": encode_id("Patient", patient.id)}, token=token)
    not_own = await gql(
        OWN_PROGRESS, {"id": encode_id("Patient", other.id)}, token=token
    )

    # then
    assert error_codes(forbidden) == ["FORBIDDEN"]
    assert len(own["data"]["patient"]["progress"]["weekly"]) == 4
    assert not_own["data"]["patient"] is None


async def test_anonymous_is_unauthenticated(gql: GQL) -> None:
    body = await gql(OVERVIEW)

    assert error_codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 105}, "weeks"),
    ],
)
async def test_out_of_range_topic_arguments(
    db: AsyncSession,
    gql: GQL,
    settings: Settings,
    variables: dict[str, Any],
    field: str,
) -> None:
    # given
    (t,) = await therapists(db, 1)

    # when
    body = await gql(TOPICS, variables, token=token_for(settings, t))

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize("weeks", [0, 105])
async def test_out_of_range_progress_weeks(
    db: AsyncSession, gql: GQL, settings: Settings, weeks: int
) -> None:
    # given
    (t,) = await therapists(db, 1)
    patient = await create_patient(db, t)

    # when
    body = await gql(
        PROGRESS,
        {"pid": encode_id("Patient", patient.id), "weeks": weeks},
        token=token_for(settings, t),
    )

    # then
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "weeks"
