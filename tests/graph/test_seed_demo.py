from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import SessionStatus
from db.models import Patient, SessionMetrics, SessionNotes, TherapySession, User
from services.demo import DEMO_EMAIL, seed_demo
from settings import Settings
from tests.conftest import GQL
from tests.factories import token_for

# 12 x 100 keeps the query under MAX_QUERY_COST (100 x 100 would be refused)
OVERVIEW = """
query { patients(first: 12) { totalCount edges { node {
  sessions(first: 100) { totalCount edges { node { status notes { keyTopics } } } }
} } } }
"""


async def test_seed_demo_creates_a_practice_once(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    first = await seed_demo(db, "not-a-real-hash")
    second = await seed_demo(db, "not-a-real-hash")
    therapist = await db.scalar(select(User).where(User.email == DEMO_EMAIL))
    assert therapist is not None

    body = await gql(OVERVIEW, token=token_for(settings, therapist))

    assert first.created
    assert not second.created
    patients = await db.scalar(select(func.count()).select_from(Patient))
    assert patients is not None
    assert patients >= 12
    processed = await db.scalar(
        select(func.count())
        .select_from(TherapySession)
        .where(
            TherapySession.therapist_id == therapist.id,
            TherapySession.status == SessionStatus.PROCESSED,
        )
    )
    assert processed is not None
    assert processed >= 170
    assert first.past_sessions >= 200
    assert first.upcoming_sessions >= 12
    metrics = await db.scalar(
        select(func.count())
        .select_from(SessionMetrics)
        .where(SessionMetrics.therapist_id == therapist.id)
    )
    assert metrics == first.past_sessions
    moods = await db.scalar(
        select(func.count(func.distinct(SessionNotes.session_mood)))
    )
    assert moods is not None
    assert moods >= 4
    assert body["data"]["patients"]["totalCount"] == 12
    sessions = [
        e["node"]
        for p in body["data"]["patients"]["edges"]
        for e in p["node"]["sessions"]["edges"]
    ]
    assert len(sessions) == first.past_sessions + first.upcoming_sessions
