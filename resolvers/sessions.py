"""Therapy session resolvers: root fields, Patient.sessions, nested fields."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.enums import Role, SessionStatus
from db.loaders import (
    AudioFileBySessionIdLoader,
    LatestNotesBySessionIdLoader,
    NoteVersionsBySessionIdLoader,
    PatientByIdLoader,
    SessionByIdLoader,
    SessionCountByPatientIdLoader,
    SessionPageKey,
    SessionsByPatientIdLoader,
    StatusEventsBySessionIdLoader,
    TranscriptBySessionIdLoader,
    UserByIdLoader,
    load_session_detail,
)
from db.models import (
    AudioFile,
    Patient,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    User,
)
from db.queries.pagination import count, paginate
from db.queries.sessions import SESSION_ORDER, SessionFilter, session_key, sessions_stmt
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from resolvers.patients import Counted, found_or_raise, patient_by_id
from resolvers.reads import (
    audit_reads,
    phi_selected,
    selected_names,
    static_selection,
)
from services.errors import BadInput, Forbidden, NotFound
from services.processing import Processing, processing_info


def session_filter(
    patient_id: uuid.UUID | None,
    status: SessionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> SessionFilter:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadInput("from", "from must not be after to")
    return SessionFilter(patient_id, status, date_from, date_to)


def audit_sessions(
    info: Info[Context, Any], rows: list[TherapySession], *path: str
) -> None:
    audit_reads(info, "TherapySession", ((s.id, s.patient_id) for s in rows), *path)


async def session(info: Info[Context, Any], global_id: str) -> TherapySession | None:
    ctx = info.context
    user = ctx.require_user()
    sid = decode_id(global_id, "TherapySession")
    # the detail page's nested objects come with the session, in one statement
    wanted = selected_names(info)
    detail = await load_session_detail(
        ctx.db,
        user,
        sid,
        patient="patient" in wanted,
        therapist="therapist" in wanted,
        # refused to patients: not even decrypted for them
        transcript="transcript" in wanted and user.role is not Role.PATIENT,
        notes="notes" in wanted,
        events="events" in wanted,
    )
    found = detail.session
    if found is None:
        raise NotFound("Session")
    ctx.loader(SessionByIdLoader).prime(sid, found)
    if "patient" in wanted and detail.patient is not None:
        ctx.loader(PatientByIdLoader).prime(detail.patient.id, detail.patient)
    if "therapist" in wanted:
        ctx.loader(UserByIdLoader).prime(found.therapist_id, detail.therapist)
    if "transcript" in wanted and user.role is not Role.PATIENT:
        ctx.loader(TranscriptBySessionIdLoader).prime(sid, detail.transcript)
    if "notes" in wanted:
        ctx.loader(LatestNotesBySessionIdLoader).prime(sid, detail.notes)
    if detail.events is not None:
        ctx.loader(StatusEventsBySessionIdLoader).prime(sid, detail.events)
    audit_sessions(info, [found])
    return found


async def session_by_id(
    info: Info[Context, Any], sid: uuid.UUID
) -> TherapySession | None:
    found = await info.context.loader(SessionByIdLoader).load(sid)
    if found is not None:
        audit_sessions(info, [found])
    return found


async def sessions(
    info: Info[Context, Any],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    patient_id: str | None,
    status: SessionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Counted:
    ctx = info.context
    user = ctx.require_user()
    args = page_args(first, after, last, before)
    pid = decode_id(patient_id, "Patient", "patientId") if patient_id else None
    stmt = sessions_stmt(user, session_filter(pid, status, date_from, date_to))
    page = await paginate(ctx.db, stmt, SESSION_ORDER, args, session_key)
    audit_sessions(info, page.rows, "edges", "node")
    return page, lambda: count(ctx.db, stmt)


async def patient_sessions(
    info: Info[Context, Any],
    root: Patient,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    status: SessionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Counted:
    ctx = info.context
    args = page_args(first, after, last, before)
    f = session_filter(None, status, date_from, date_to)
    # notes selected on the sessions: they come with the sessions' query
    with_notes = "notes" in phi_selected(info, "TherapySession", "edges", "node")
    loader = ctx.loader(SessionsByPatientIdLoader)
    page = await loader.load(SessionPageKey(root.id, f, args, with_notes))
    if with_notes:
        notes = ctx.loader(LatestNotesBySessionIdLoader)
        for row in page.rows:
            notes.prime(row.id, loader.latest_notes.get(row.id))
        if static_selection(info):
            # every session's notes field runs: their READs in one event per
            # patient here rather than one per note (the field then skips it)
            read = [
                (n.id, row.patient_id)
                for row in page.rows
                if (n := loader.latest_notes.get(row.id)) is not None
            ]
            audit_reads(info, "SessionNotes", read, "edges", "node", "notes")
            notes.audited.update(nid for nid, _ in read)
    audit_sessions(info, page.rows, "edges", "node")
    counter = ctx.loader(SessionCountByPatientIdLoader)
    return page, lambda: counter.load((root.id, f))


async def session_patient(info: Info[Context, Any], root: TherapySession) -> Patient:
    return found_or_raise(await patient_by_id(info, root.patient_id), "Patient")


async def session_therapist(info: Info[Context, Any], root: TherapySession) -> User:
    return found_or_raise(
        await info.context.loader(UserByIdLoader).load(root.therapist_id), "User"
    )


async def audio(info: Info[Context, Any], root: TherapySession) -> AudioFile | None:
    return await info.context.loader(AudioFileBySessionIdLoader).load(root.id)


def refuse_patient_role(ctx: Context) -> None:
    """FORBIDDEN for the PATIENT role (fields hidden from patients)."""
    if ctx.require_user().role is Role.PATIENT:
        raise Forbidden("Not available to patients")


async def transcript(
    info: Info[Context, Any], root: TherapySession
) -> Transcript | None:
    refuse_patient_role(info.context)
    found = await info.context.loader(TranscriptBySessionIdLoader).load(root.id)
    if found is not None:
        audit_reads(info, "Transcript", [(found.id, root.patient_id)])
    return found


async def processing(
    info: Info[Context, Any], root: TherapySession
) -> Processing | None:
    """Hidden from patients like the transcript it describes."""
    refuse_patient_role(info.context)
    ctx = info.context
    transcript = await ctx.loader(TranscriptBySessionIdLoader).load(root.id)
    audio = await ctx.loader(AudioFileBySessionIdLoader).load(root.id)
    versions = await ctx.loader(NoteVersionsBySessionIdLoader).load(root.id)
    return processing_info(transcript, audio, versions)


def notes(
    info: Info[Context, Any], root: TherapySession
) -> SessionNotes | Awaitable[SessionNotes | None] | None:
    """The latest notes. Already loaded (a sessions page primes them): the
    value itself, so graphql-core completes the field without a task;
    otherwise an awaitable batched with the other sessions' notes."""
    loader = info.context.loader(LatestNotesBySessionIdLoader)
    loaded, found = loader.peek(root.id)
    if not loaded:
        return _notes_later(info, loader, root)
    _audit_notes(info, loader, root, found)
    return found


async def _notes_later(
    info: Info[Context, Any], loader: LatestNotesBySessionIdLoader, root: TherapySession
) -> SessionNotes | None:
    found = await loader.load(root.id)
    _audit_notes(info, loader, root, found)
    return found


def _audit_notes(
    info: Info[Context, Any],
    loader: LatestNotesBySessionIdLoader,
    root: TherapySession,
    found: SessionNotes | None,
) -> None:
    """Each note's READ recorded once a request, however often the field is
    answered (schema/fastexec may ask twice): the field is repeatable."""
    if found is not None and found.id not in loader.audited:
        loader.audited.add(found.id)
        audit_reads(info, "SessionNotes", [(found.id, root.patient_id)])


async def note_versions(
    info: Info[Context, Any], root: TherapySession
) -> list[SessionNotes]:
    found = await info.context.loader(NoteVersionsBySessionIdLoader).load(root.id)
    audit_reads(info, "SessionNotes", ((n.id, root.patient_id) for n in found))
    return found


async def events(
    info: Info[Context, Any], root: TherapySession
) -> list[SessionStatusEvent]:
    return await info.context.loader(StatusEventsBySessionIdLoader).load(root.id)
