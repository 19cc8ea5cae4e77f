"""Property: every analytics figure equals the plain-Python reference, computed
live and again from stored rows, for random practices, clocks and time zones.
Each example runs in a savepoint that is rolled back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.analytics import Frame
from services.analytics_jobs import aggregate
from tests.analytics.reference import Sess, World
from tests.analytics.world import expected, figures, load, therapists

ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
ATTENDANCE = ["COMPLETED", "COMPLETED", "CANCELLED", "NO_SHOW", "SCHEDULED"]
TOPICS = ["anxiety", "Anxiety ", "sleep", "work stress", "grief", " family", ""]
BASE = datetime(2026, 3, 1, tzinfo=UTC)


@st.composite
def worlds(draw: Any, t_ids: tuple[uuid.UUID, uuid.UUID]) -> World:
    me, other = t_ids
    tz = draw(st.sampled_from(ZONES))
    now = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 60)))
    n_patients = draw(st.integers(1, 4))
    patients = {}
    for _ in range(n_patients):
        assigned = draw(st.sampled_from([{me}, {me}, {other}, {me, other}]))
        patients[uuid.uuid4()] = (draw(st.booleans()) and draw(st.booleans()), assigned)
    pids = list(patients)
    sessions = []
    for _ in range(draw(st.integers(0, 30))):
        has_metrics = draw(st.booleans())
        sessions.append(
            Sess(
                therapist_id=draw(st.sampled_from([me, me, other])),
                patient_id=draw(st.sampled_from(pids)),
                # from 110 days back to 10 days ahead, to the minute
                at=now + timedelta(minutes=draw(st.integers(-110 * 1440, 10 * 1440))),
                attendance=draw(st.sampled_from(ATTENDANCE)),
                duration=draw(st.none() | st.integers(20, 90)),
                mood=draw(st.none() | st.integers(1, 5)) if has_metrics else None,
                topics=draw(st.lists(st.sampled_from(TOPICS), max_size=4))
                if has_metrics
                else None,
            )
        )
    return World(tz, now, sessions, patients)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_figure_matches_the_reference(
    db: AsyncSession, data: st.DataObject
) -> None:
    async with db.begin_nested() as savepoint:
        # given a random practice of two therapists
        me, other = await therapists(db, 2)
        world = data.draw(worlds((me.id, other.id)))
        await load(db, world)
        pids = [p for p, (_, ts) in world.patients.items() if me.id in ts]

        # when: every figure, live, then with every closed day and week stored
        live = await figures(db, world, me, pids)
        await aggregate(db, Frame(world.tz, world.now))
        stored = await figures(db, world, me, pids)
        await savepoint.rollback()

    # then
    want = expected(world, me, pids)
    assert live == want
    assert stored == want
