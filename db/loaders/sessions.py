"""Dataloaders of therapy sessions: by id, a page and a count per patient,
the one-statement detail page (``load_session_detail``), and what hangs off a
session besides its notes: status history, transcript, audio file.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import orjson
from sqlalchemy import Select, Uuid, bindparam, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm import join as orm_join
from sqlalchemy.orm import outerjoin as orm_outerjoin

from db.enums import SessionStatus
from db.loaders.base import ScopedLoader, many_each, one_each
from db.models import (
    AudioFile,
    Patient,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    User,
)
from db.queries.pagination import Page, PageArgs
from db.queries.partitioned import PartitionedQuery, paginate_partitioned
from db.queries.scoping import (
    Subject,
    readable_session_ids,
    readable_sessions,
    readable_user_ids,
    scoped_statement,
)
from db.queries.sessions import (
    SESSION_ORDER,
    SessionFilter,
    bound_sessions_stmt,
    count_by_patient,
    filter_params,
    filter_shape,
    session_key,
)


@dataclass
class SessionDetail:
    """A session and, as asked, its patient, therapist, transcript and latest
    notes."""

    session: TherapySession | None
    patient: Patient | None = None
    therapist: User | None = None
    transcript: Transcript | None = None
    notes: SessionNotes | None = None
    # the status history, oldest first (None when not asked for)
    events: list[SessionStatusEvent] | None = None


DETAIL_SESSION_ID = "detail_session_id"


async def load_session_detail(
    db: AsyncSession,
    user: User | None,
    session_id: uuid.UUID,
    *,
    patient: bool,
    therapist: bool,
    transcript: bool,
    notes: bool,
    events: bool = False,
) -> SessionDetail:
    """ONE statement for a session's detail page: the session (scoped), its
    patient (readable exactly when the session is), its therapist (under the
    users' own scoping: null when not readable, as UserByIdLoader answers),
    transcript and latest notes (readable with the session) as joins. The
    caller primes the loaders with them, so the nested fields cost no
    statement of their own."""

    def build(subject: Subject | None) -> Select[Any]:
        wanted = bindparam(DETAIL_SESSION_ID, type_=Uuid(), required=True)
        stmt = readable_sessions(subject).where(TherapySession.id == wanted)
        # one explicit join chain from the session (several LATERALs side by
        # side would leave the left side of each join ambiguous)
        joined: Any = TherapySession
        extra: list[Any] = []
        if patient:
            joined = orm_join(joined, Patient, Patient.id == TherapySession.patient_id)
            extra.append(Patient)
        if therapist:
            lateral = (
                select(User)
                .where(
                    User.id == TherapySession.therapist_id,
                    User.id.in_(readable_user_ids(subject)),
                )
                .lateral("detail_therapist")
            )
            joined = orm_outerjoin(joined, lateral, true())
            extra.append(aliased(User, lateral))
        if transcript:
            lateral = (
                select(Transcript)
                .where(Transcript.session_id == TherapySession.id)
                .lateral("detail_transcript")
            )
            joined = orm_outerjoin(joined, lateral, true())
            extra.append(aliased(Transcript, lateral))
        if notes:
            lateral, latest = _latest_notes_of(TherapySession)
            joined = orm_outerjoin(joined, lateral, true())
            extra.append(latest)
        if events:
            extra.append(_events_json_of(TherapySession))
        return stmt.select_from(joined).add_columns(*extra)

    shape = ("session_detail", patient, therapist, transcript, notes, events)
    stmt, params = scoped_statement(shape, user, build)
    params[DETAIL_SESSION_ID] = session_id
    row = (await db.execute(stmt, params)).first()
    if row is None:
        return SessionDetail(None)
    values = iter(row[1:])
    return SessionDetail(
        row[0],
        patient=next(values) if patient else None,
        therapist=next(values) if therapist else None,
        transcript=next(values) if transcript else None,
        notes=next(values) if notes else None,
        events=_events_from_json(row[0].id, next(values)) if events else None,
    )


_EVENT = SessionStatusEvent


def _events_json_of(row: Any) -> Any:
    """The session's status history as one JSON array, oldest first."""
    fields = (
        "id", _EVENT.id, "status", _EVENT.status, "previous_status",
        _EVENT.previous_status, "error_message", _EVENT.error_message, "at", _EVENT.at,
    )  # fmt: skip
    return (
        select(
            func.coalesce(
                func.json_agg(
                    aggregate_order_by(func.json_build_object(*fields), _EVENT.id)
                ),
                literal_column("'[]'::json"),
            )
        )
        .where(_EVENT.session_id == row.id)
        .scalar_subquery()
        .label("detail_events")
    )


def _events_from_json(session_id: uuid.UUID, raw: Any) -> list[SessionStatusEvent]:
    """Rows of ``_events_json_of``, as the objects the loader would return
    (never added to the session)."""
    items = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return [
        SessionStatusEvent(
            id=item["id"],
            session_id=session_id,
            status=SessionStatus(item["status"]),
            previous_status=(
                SessionStatus(item["previous_status"])
                if item["previous_status"] is not None
                else None
            ),
            error_message=item["error_message"],
            at=datetime.fromisoformat(item["at"]).astimezone(UTC),
        )
        for item in items
    ]


class SessionByIdLoader(ScopedLoader[uuid.UUID, TherapySession | None]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[TherapySession | None]:
        return await one_each(self, readable_sessions, TherapySession.id, keys)


@dataclass(frozen=True)
class SessionPageKey:
    patient_id: uuid.UUID
    filter: SessionFilter
    args: PageArgs
    # the query selects the sessions' notes: fetch the latest in the same query
    with_notes: bool = False


def _latest_notes_of(row: Any) -> tuple[Any, Any]:
    """The newest notes version of the session ``row``, as a LATERAL join."""
    lateral = (
        select(SessionNotes)
        .where(SessionNotes.session_id == row.id)
        .order_by(SessionNotes.version.desc())
        .limit(1)
        .lateral("latest_notes")
    )
    return lateral, aliased(SessionNotes, lateral)


class SessionsByPatientIdLoader(ScopedLoader[SessionPageKey, Page[TherapySession]]):
    """One page of each patient's sessions: one windowed query per distinct
    (filter, page arguments), which in a GraphQL query is one in total.

    With ``with_notes`` the same statement brings each session's latest notes
    (readable exactly when the session is); they wait in ``latest_notes`` for
    the caller to prime LatestNotesBySessionIdLoader with them.
    """

    def __init__(self, db: AsyncSession, user: User | None) -> None:
        super().__init__(db, user)
        self.latest_notes: dict[uuid.UUID, SessionNotes | None] = {}

    async def batch_load_fn(
        self, keys: Sequence[SessionPageKey]
    ) -> list[Page[TherapySession]]:
        Group = tuple[SessionFilter, PageArgs, bool]
        groups: dict[Group, list[uuid.UUID]] = {}
        for k in keys:
            groups.setdefault((k.filter, k.args, k.with_notes), []).append(k.patient_id)
        pages: dict[tuple[Group, uuid.UUID], Page[Any]] = {}
        for group, ids in groups.items():
            f, args, with_notes = group
            shape = filter_shape(f)
            query = PartitionedQuery(
                entity=TherapySession,
                build=partial(bound_sessions_stmt, shape=shape),
                params=filter_params(f),
                shape=("sessions", shape),
                parent=TherapySession.patient_id,
                ordering=SESSION_ORDER,
                key=session_key,
                attach=_latest_notes_of if with_notes else None,
            )
            found = await paginate_partitioned(
                self.db, self.user, query, ids, args, self.latest_notes
            )
            pages.update({(group, pid): page for pid, page in found.items()})
        return [pages[((k.filter, k.args, k.with_notes), k.patient_id)] for k in keys]


class SessionCountByPatientIdLoader(ScopedLoader[tuple[uuid.UUID, SessionFilter], int]):
    async def batch_load_fn(
        self, keys: Sequence[tuple[uuid.UUID, SessionFilter]]
    ) -> list[int]:
        groups: dict[SessionFilter, list[uuid.UUID]] = {}
        for pid, f in keys:
            groups.setdefault(f, []).append(pid)
        counts: dict[tuple[uuid.UUID, SessionFilter], int] = {}
        for f, ids in groups.items():
            found = await count_by_patient(self.db, self.user, f, ids)
            counts.update({(pid, f): found.get(pid, 0) for pid in ids})
        return [counts[k] for k in keys]


class TranscriptBySessionIdLoader(ScopedLoader[uuid.UUID, Transcript | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Transcript | None]:
        def build(user: Subject | None) -> Select[Any]:
            return select(Transcript).where(
                Transcript.session_id.in_(readable_session_ids(user))
            )

        return await one_each(self, build, Transcript.session_id, keys)


class AudioFileBySessionIdLoader(ScopedLoader[uuid.UUID, AudioFile | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[AudioFile | None]:
        def build(user: Subject | None) -> Select[Any]:
            return select(AudioFile).where(
                AudioFile.session_id.in_(readable_session_ids(user)),
                AudioFile.deleted_at.is_(None),
            )

        return await one_each(self, build, AudioFile.session_id, keys)


class StatusEventsBySessionIdLoader(ScopedLoader[uuid.UUID, list[SessionStatusEvent]]):
    """The status history, oldest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[SessionStatusEvent]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(SessionStatusEvent)
                .where(SessionStatusEvent.session_id.in_(readable_session_ids(user)))
                .order_by(SessionStatusEvent.id)
            )

        return await many_each(self, build, SessionStatusEvent.session_id, keys)
