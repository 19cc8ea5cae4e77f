"""The replay behind sessionStatusChanged(after:): the caller's own events,
oldest first, paged; another therapist's never; a malformed cursor is
BAD_USER_INPUT naming ``after``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import SessionStatus as S
from db.queries.pipeline import lock_session
from resolvers.ids import decode_event_cursor, encode_event_cursor
from services import events
from services.errors import BadInput
from services.status import transition
from tests.factories import create_patient, create_session, create_user


async def test_replay_gives_the_callers_events_and_nobody_elses(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given two sessions of one therapist's patient, five events in all
    owner = await create_user(db)
    other = await create_user(db)
    patient = await create_patient(db, owner)
    await create_patient(db, other)
    made = []
    for _ in range(2):
        ts = await create_session(
            db, patient, owner, datetime.now(UTC), status=S.TRANSCRIBED
        )
        made.append(await transition(db, ts, S.TRANSCRIBED, new=True))
        locked = await lock_session(db, ts.id)
        assert locked is not None
        made.append(await transition(db, locked, S.EXTRACTING_NOTES))
    await db.commit()
    # pages of two: the replay must walk several
    monkeypatch.setattr(events, "REPLAY_PAGE", 2)

    everything = [e.id async for e, _ in events.replay(session_factory, owner, 0, None)]
    after_first = [
        e.id async for e, _ in events.replay(session_factory, owner, made[0].id, None)
    ]
    one_session = [
        e.id
        async for e, _ in events.replay(session_factory, owner, 0, made[0].session_id)
    ]
    theirs = [e.id async for e, _ in events.replay(session_factory, other, 0, None)]

    assert everything == [e.id for e in made]
    assert after_first == [e.id for e in made[1:]]
    assert one_session == [made[0].id, made[1].id]
    assert theirs == []


def test_cursors_round_trip_and_sort_as_strings() -> None:
    ids = [1, 9, 10, 255, 256, 2**40]
    cursors = [encode_event_cursor(i) for i in ids]

    assert [decode_event_cursor(c) for c in cursors] == ids
    assert cursors == sorted(cursors)


@pytest.mark.parametrize("bad", ["", "nope", "0" * 12 + "!", "W" * 13])
def test_a_malformed_cursor_is_bad_input(bad: str) -> None:
    with pytest.raises(BadInput) as caught:
        decode_event_cursor(bad)
    assert caught.value.field == "after"
