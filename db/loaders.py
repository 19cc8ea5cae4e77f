"""Dataloaders: one class per entity and key, created per request, scoped to
the caller through the ``readable_*`` builders. Named ``<Entity>By<Key>Loader``.
"""

from __future__ import annotations

import uuid
from asyncio import Future
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, Generic, TypeVar, cast

import orjson
from aiodataloader import DataLoader
from sqlalchemy import (
    Select,
    Uuid,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.orm import join as orm_join
from sqlalchemy.orm import outerjoin as orm_outerjoin

from db.enums import SessionStatus
from db.models import (
    AudioFile,
    ExportJob,
    NoteAddendum,
    Patient,
    PatientTherapist,
    RiskAlert,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    TreatmentGoal,
    TreatmentPlan,
    User,
)
from db.queries.pagination import Page, PageArgs
from db.queries.partitioned import PartitionedQuery, paginate_partitioned
from db.queries.scoping import (
    Subject,
    readable_alerts,
    readable_export_jobs,
    readable_patient_ids,
    readable_patients,
    readable_plan_ids,
    readable_plans,
    readable_session_ids,
    readable_sessions,
    readable_user_ids,
    readable_users,
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

K = TypeVar("K")
V = TypeVar("V")


class ScopedLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader bound to one request's session and caller."""

    def __init__(self, db: AsyncSession, user: User | None) -> None:
        super().__init__()
        self.db = db
        self.user = user
        # primed values, kept without a future until someone load()s them: a
        # page primes 500 notes that are only ever peeked at
        self._primed: dict[Any, V] = {}

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        raise NotImplementedError

    def prime(self, key: K, value: V | Exception) -> ScopedLoader[K, V]:
        """As DataLoader.prime (an existing value is kept; an Exception
        primes a failure), without making a future for a plain value."""
        cache_key = self.get_cache_key(key)
        if isinstance(value, Exception):
            # aiodataloader primes a failure for an Exception, though its
            # annotation admits only values
            return super().prime(key, cast("V", value))
        if not self.cache:
            return super().prime(key, value)
        if cache_key not in self._cache:
            self._primed.setdefault(cache_key, value)
        return self

    def load(self, key: K) -> Future[V]:
        if self._primed and key is not None:
            cache_key = self.get_cache_key(key)
            if cache_key in self._primed and cache_key not in self._cache:
                super().prime(key, self._primed.pop(cache_key))
        return super().load(key)

    def clear(self, key: K) -> ScopedLoader[K, V]:
        self._primed.pop(self.get_cache_key(key), None)
        return super().clear(key)

    def clear_all(self) -> ScopedLoader[K, V]:
        self._primed.clear()
        return super().clear_all()

    def peek(self, key: K) -> tuple[bool, V | None]:
        """(True, value) when ``key`` is already loaded (or primed), so a
        resolver can answer without a coroutine; else (False, None)."""
        if self._primed:
            cache_key = self.get_cache_key(key)
            if cache_key in self._primed:
                return True, self._primed[cache_key]
        future = self._cache.get(self.get_cache_key(key)) if self.cache else None
        if future is None or not future.done() or future.cancelled():
            return False, None
        if future.exception() is not None:
            return False, None
        return True, future.result()


class UserByIdLoader(ScopedLoader[uuid.UUID, User | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[User | None]:
        stmt = readable_users(self.user).where(User.id.in_(keys))
        found: dict[Any, User] = {
            u.id: u for u in (await self.db.execute(stmt)).scalars()
        }
        return [found.get(k) for k in keys]


LOADER_KEYS = "loader_keys"

Build = Callable[[Subject | None], Select[Any]]


async def _rows(
    loader: ScopedLoader[Any, Any],
    build: Build,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> Any:
    """The rows ``build`` selects for the caller, where ``column`` is one of
    ``keys``: one statement per loader class and role, built once (a loader
    class always builds the same statement)."""

    def keyed(subject: Subject | None) -> Select[Any]:
        wanted = bindparam(LOADER_KEYS, type_=ARRAY(column.type), required=True)
        return build(subject).where(column == any_(wanted))

    stmt, params = scoped_statement(type(loader).__qualname__, loader.user, keyed)
    params[LOADER_KEYS] = list(keys)
    return (await loader.db.execute(stmt, params)).scalars()


async def _one_each(
    loader: ScopedLoader[Any, Any],
    build: Build,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> list[Any]:
    """Rows of ``build`` matched to ``keys`` by ``column`` (one row per key)."""
    rows = await _rows(loader, build, column, keys)
    found = {getattr(r, column.key): r for r in rows}
    return [found.get(k) for k in keys]


async def _many_each(
    loader: ScopedLoader[Any, Any],
    build: Build,
    column: InstrumentedAttribute[Any],
    keys: Sequence[Any],
) -> list[Any]:
    """Rows of ``build`` grouped by ``column``, in the statement's order."""
    grouped: dict[Any, list[Any]] = {k: [] for k in keys}
    for r in await _rows(loader, build, column, keys):
        grouped[getattr(r, column.key)].append(r)
    return [grouped[k] for k in keys]


class PatientByIdLoader(ScopedLoader[uuid.UUID, Patient | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Patient | None]:
        return await _one_each(self, readable_patients, Patient.id, keys)


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
        return await _one_each(self, readable_sessions, TherapySession.id, keys)


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


class LatestNotesBySessionIdLoader(ScopedLoader[uuid.UUID, SessionNotes | None]):
    def __init__(self, db: AsyncSession, user: User | None) -> None:
        super().__init__(db, user)
        # notes whose READ this request has already recorded (by whoever
        # primed them with a page, or by the field's first answer)
        self.audited: set[uuid.UUID] = set()

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[SessionNotes | None]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(SessionNotes)
                .where(SessionNotes.session_id.in_(readable_session_ids(user)))
                .ext(distinct_on(SessionNotes.session_id))
                .order_by(SessionNotes.session_id, SessionNotes.version.desc())
            )

        return await _one_each(self, build, SessionNotes.session_id, keys)


class NoteVersionsBySessionIdLoader(ScopedLoader[uuid.UUID, list[SessionNotes]]):
    """Every version, newest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[SessionNotes]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(SessionNotes)
                .where(SessionNotes.session_id.in_(readable_session_ids(user)))
                .order_by(SessionNotes.version.desc())
            )

        return await _many_each(self, build, SessionNotes.session_id, keys)


class NotesByIdLoader(ScopedLoader[uuid.UUID, SessionNotes | None]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[SessionNotes | None]:
        def build(user: Subject | None) -> Select[Any]:
            return select(SessionNotes).where(
                SessionNotes.session_id.in_(readable_session_ids(user))
            )

        return await _one_each(self, build, SessionNotes.id, keys)


class TranscriptBySessionIdLoader(ScopedLoader[uuid.UUID, Transcript | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[Transcript | None]:
        def build(user: Subject | None) -> Select[Any]:
            return select(Transcript).where(
                Transcript.session_id.in_(readable_session_ids(user))
            )

        return await _one_each(self, build, Transcript.session_id, keys)


class AudioFileBySessionIdLoader(ScopedLoader[uuid.UUID, AudioFile | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[AudioFile | None]:
        def build(user: Subject | None) -> Select[Any]:
            return select(AudioFile).where(
                AudioFile.session_id.in_(readable_session_ids(user)),
                AudioFile.deleted_at.is_(None),
            )

        return await _one_each(self, build, AudioFile.session_id, keys)


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

        return await _many_each(self, build, SessionStatusEvent.session_id, keys)


class TherapistsByPatientIdLoader(ScopedLoader[uuid.UUID, list[User]]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[list[User]]:
        stmt = (
            select(PatientTherapist.patient_id, User)
            .join(User, User.id == PatientTherapist.therapist_id)
            .where(
                PatientTherapist.patient_id.in_(keys),
                PatientTherapist.patient_id.in_(readable_patient_ids(self.user)),
            )
            .order_by(User.last_name, User.first_name, User.id)
        )
        grouped: dict[uuid.UUID, list[User]] = {k: [] for k in keys}
        for pid, user in (await self.db.execute(stmt)).all():
            grouped[pid].append(user)
        return [grouped[k] for k in keys]


class TreatmentPlanByIdLoader(ScopedLoader[uuid.UUID, TreatmentPlan | None]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[TreatmentPlan | None]:
        return await _one_each(self, readable_plans, TreatmentPlan.id, keys)


class TreatmentPlansByPatientIdLoader(ScopedLoader[uuid.UUID, list[TreatmentPlan]]):
    """Newest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[TreatmentPlan]]:
        def build(user: Subject | None) -> Select[Any]:
            return readable_plans(user).order_by(
                TreatmentPlan.created_at.desc(), TreatmentPlan.id.desc()
            )

        return await _many_each(self, build, TreatmentPlan.patient_id, keys)


class GoalsByPlanIdLoader(ScopedLoader[uuid.UUID, list[TreatmentGoal]]):
    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[TreatmentGoal]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(TreatmentGoal)
                .where(TreatmentGoal.plan_id.in_(readable_plan_ids(user)))
                .order_by(TreatmentGoal.position, TreatmentGoal.id)
            )

        return await _many_each(self, build, TreatmentGoal.plan_id, keys)


class ExportJobByIdLoader(ScopedLoader[uuid.UUID, ExportJob | None]):
    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[ExportJob | None]:
        return await _one_each(self, readable_export_jobs, ExportJob.id, keys)


class AddendaByNotesIdLoader(ScopedLoader[uuid.UUID, list[NoteAddendum]]):
    """The addenda of a note version, oldest first."""

    async def batch_load_fn(
        self, keys: Sequence[uuid.UUID]
    ) -> list[list[NoteAddendum]]:
        def build(user: Subject | None) -> Select[Any]:
            return (
                select(NoteAddendum)
                .where(NoteAddendum.session_id.in_(readable_session_ids(user)))
                .order_by(NoteAddendum.created_at, NoteAddendum.id)
            )

        return await _many_each(self, build, NoteAddendum.notes_id, keys)


class RiskAlertByIdLoader(ScopedLoader[uuid.UUID, RiskAlert | None]):
    """Alerts scoped like their patient, never for the PATIENT role."""

    async def batch_load_fn(self, keys: Sequence[uuid.UUID]) -> list[RiskAlert | None]:
        return await _one_each(self, readable_alerts, RiskAlert.id, keys)
