"""Statements built once and reused (``scoped_statement``) stay scoped to the
caller who runs them, not to the user they were first built for."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.loaders import (
    PatientByIdLoader,
    SessionByIdLoader,
    StatusEventsBySessionIdLoader,
    TranscriptBySessionIdLoader,
    load_session_detail,
)
from db.models import Patient, SessionStatusEvent
from db.queries.scoping import (
    Subject,
    Template,
    readable_patients,
    readable_user_ids,
    scoped_statement,
)
from tests.factories import (
    create_patient,
    create_session,
    create_transcript,
    create_user,
)


async def test_loaders_reuse_statements_but_each_caller_reads_only_their_own(
    db: AsyncSession,
) -> None:
    a = await create_user(db)
    b = await create_user(db)
    pa = await create_patient(db, a)
    pb = await create_patient(db, b)
    sa = await create_session(db, pa, a)
    sb = await create_session(db, pb, b)
    await create_transcript(db, sa, "A's words")
    await create_transcript(db, sb, "B's words")
    db.add(SessionStatusEvent(session_id=sa.id, status=sa.status))
    db.add(SessionStatusEvent(session_id=sb.id, status=sb.status))
    await db.flush()

    # the same loader classes, first for a (building the statements), then for b
    for me, mine, theirs, session, other in ((a, pa, pb, sa, sb), (b, pb, pa, sb, sa)):
        patients = await PatientByIdLoader(db, me).load_many([mine.id, theirs.id])
        assert [p.id if p else None for p in patients] == [mine.id, None]
        sessions = await SessionByIdLoader(db, me).load_many([session.id, other.id])
        assert [s.id if s else None for s in sessions] == [session.id, None]
        transcripts = await TranscriptBySessionIdLoader(db, me).load_many(
            [session.id, other.id]
        )
        assert transcripts[0] is not None
        assert transcripts[1] is None
        events = await StatusEventsBySessionIdLoader(db, me).load_many(
            [session.id, other.id]
        )
        assert len(events[0]) == 1
        assert events[1] == []
        flags = {
            "patient": True,
            "therapist": True,
            "transcript": True,
            "notes": True,
            "events": True,
        }
        own = await load_session_detail(db, me, session.id, **flags)
        assert own.session is not None
        assert own.patient is not None
        assert own.transcript is not None
        assert own.therapist is not None
        assert own.therapist.id == me.id
        foreign = await load_session_detail(db, me, other.id, **flags)
        assert own.events is not None
        assert [e.session_id for e in own.events] == [session.id]
        assert foreign.session is None
        assert foreign.transcript is None


async def test_a_reused_statement_cannot_run_without_the_callers_id(
    db: AsyncSession,
) -> None:
    a = await create_user(db)
    await create_patient(db, a)
    stmt, params = scoped_statement(
        "test-required-scope", a, lambda s: readable_patients(s)
    )
    assert params  # the caller's id
    assert len((await db.execute(stmt, params)).scalars().all()) == 1
    with pytest.raises(StatementError, match="scope_user_id"):
        await db.execute(stmt)


async def test_inactive_callers_read_nothing_and_roles_get_their_own_statements(
    db: AsyncSession,
) -> None:
    admin = await create_user(db, role=Role.ADMIN)
    therapist = await create_user(db)
    gone = await create_user(db, is_active=False)
    await create_patient(db, gone)

    def users(s: Subject | None) -> object:
        return select(readable_user_ids(s).subquery())

    admin_stmt, _ = scoped_statement("test-roles", admin, users)
    therapist_stmt, _ = scoped_statement("test-roles", therapist, users)
    assert admin_stmt is not therapist_stmt  # an admin reads every user

    stmt, params = scoped_statement(
        "test-inactive",
        gone,
        lambda s: select(Patient).where(
            Patient.id.in_(readable_patients(s).with_only_columns(Patient.id))
        ),
    )
    assert params == {}
    assert (await db.execute(stmt, params)).scalars().all() == []
    assert Template(Role.THERAPIST).is_active
