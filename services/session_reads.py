"""Reading therapy sessions and what hangs off them: the read rules (the
caller's scoping through the per-request loaders, priming the loaders with
what one statement already brought, the PATIENT role refused the transcript)
and the READ audit of each object handed back. The callers (resolvers/
sessions.py) pass what the query selected as plain names."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Sequence
from datetime import datetime

from db.enums import Role, SessionStatus
from db.loaders import (
    AddendaByNotesIdLoader,
    AudioFileBySessionIdLoader,
    LatestNotesBySessionIdLoader,
    NotesByIdLoader,
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
    NoteAddendum,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    User,
)
from db.queries.pagination import PageArgs, count, paginate
from db.queries.sessions import SESSION_ORDER, SessionFilter, session_key, sessions_stmt
from services.errors import BadInput, NotFound
from services.processing import Processing, processing_info
from services.reads import (
    Counted,
    Reader,
    record_reads,
    refuse_patient_role,
)


def session_filter(
    patient_id: uuid.UUID | None,
    status: SessionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> SessionFilter:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadInput("from", "from must not be after to")
    return SessionFilter(patient_id, status, date_from, date_to)


def record_sessions(
    reader: Reader, rows: Sequence[TherapySession], fields: Sequence[str]
) -> None:
    if rows:
        record_reads(
            reader, "TherapySession", ((s.id, s.patient_id) for s in rows), fields
        )


async def session_detail(
    reader: Reader, sid: uuid.UUID, wanted: set[str], fields: Sequence[str]
) -> TherapySession:
    """One session and, in the same statement, the nested objects ``wanted``
    names; the loaders are primed with them, so those fields cost nothing."""
    user = reader.require_user()
    detail = await load_session_detail(
        reader.db,
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
    reader.loader(SessionByIdLoader).prime(sid, found)
    if "patient" in wanted and detail.patient is not None:
        reader.loader(PatientByIdLoader).prime(detail.patient.id, detail.patient)
    if "therapist" in wanted:
        reader.loader(UserByIdLoader).prime(found.therapist_id, detail.therapist)
    if "transcript" in wanted and user.role is not Role.PATIENT:
        reader.loader(TranscriptBySessionIdLoader).prime(sid, detail.transcript)
    if "notes" in wanted:
        reader.loader(LatestNotesBySessionIdLoader).prime(sid, detail.notes)
    if detail.events is not None:
        reader.loader(StatusEventsBySessionIdLoader).prime(sid, detail.events)
    record_sessions(reader, [found], fields)
    return found


def prime_session(reader: Reader, session: TherapySession) -> None:
    """A session already read (a subscription's event brings it): nested
    fields load it without a statement."""
    reader.loader(SessionByIdLoader).prime(session.id, session)


async def session_by_id(
    reader: Reader, sid: uuid.UUID, fields: Sequence[str]
) -> TherapySession | None:
    found = await reader.loader(SessionByIdLoader).load(sid)
    if found is not None:
        record_sessions(reader, [found], fields)
    return found


async def sessions_page(
    reader: Reader, f: SessionFilter, args: PageArgs, fields: Sequence[str]
) -> Counted:
    """The caller's sessions matching ``f``, newest first."""
    db = reader.db
    stmt = sessions_stmt(reader.require_user(), f)
    page = await paginate(db, stmt, SESSION_ORDER, args, session_key)
    record_sessions(reader, page.rows, fields)
    return page, lambda: count(db, stmt)


async def patient_sessions(
    reader: Reader,
    patient_id: uuid.UUID,
    f: SessionFilter,
    args: PageArgs,
    fields: Sequence[str],
    notes_fields: Sequence[str] | None,
) -> Counted:
    """One patient's sessions (batched with the other patients' of a page).
    ``notes_fields`` (the PHI selected on the sessions' notes) when the notes
    are selected: they come with the sessions' query, and when every
    session's notes field is sure to run (nothing below carries a directive)
    their READs are
    recorded here, one event per patient rather than one per note."""
    loader = reader.loader(SessionsByPatientIdLoader)
    with_notes = "notes" in fields
    page = await loader.load(SessionPageKey(patient_id, f, args, with_notes))
    if with_notes:
        notes = reader.loader(LatestNotesBySessionIdLoader)
        for row in page.rows:
            notes.prime(row.id, loader.latest_notes.get(row.id))
        if notes_fields is not None:
            read = [
                (n.id, row.patient_id)
                for row in page.rows
                if (n := loader.latest_notes.get(row.id)) is not None
            ]
            if read:
                record_reads(reader, "SessionNotes", read, notes_fields)
            notes.audited.update(nid for nid, _ in read)
    record_sessions(reader, page.rows, fields)
    counter = reader.loader(SessionCountByPatientIdLoader)
    return page, lambda: counter.load((patient_id, f))


async def audio(reader: Reader, session: TherapySession) -> AudioFile | None:
    return await reader.loader(AudioFileBySessionIdLoader).load(session.id)


async def transcript(
    reader: Reader, session: TherapySession, fields: Sequence[str]
) -> Transcript | None:
    """FORBIDDEN for the PATIENT role."""
    refuse_patient_role(reader)
    found = await reader.loader(TranscriptBySessionIdLoader).load(session.id)
    if found is not None:
        record_reads(reader, "Transcript", [(found.id, session.patient_id)], fields)
    return found


async def processing(reader: Reader, session: TherapySession) -> Processing | None:
    """Hidden from patients like the transcript it describes."""
    refuse_patient_role(reader)
    transcript = await reader.loader(TranscriptBySessionIdLoader).load(session.id)
    audio = await reader.loader(AudioFileBySessionIdLoader).load(session.id)
    versions = await reader.loader(NoteVersionsBySessionIdLoader).load(session.id)
    return processing_info(transcript, audio, versions)


def latest_notes(
    reader: Reader, session: TherapySession, fields: Sequence[str]
) -> SessionNotes | Awaitable[SessionNotes | None] | None:
    """The latest notes. Already loaded (a sessions page primes them): the
    value itself, so graphql-core completes the field without a task;
    otherwise an awaitable batched with the other sessions' notes. Each
    note's READ is recorded once a request, however often this is asked
    (schema/fastexec may ask twice: the field is @repeatable)."""
    loader = reader.loader(LatestNotesBySessionIdLoader)
    loaded, found = loader.peek(session.id)
    if not loaded:
        return _notes_later(reader, loader, session, fields)
    _record_notes(reader, loader, session, found, fields)
    return found


async def _notes_later(
    reader: Reader,
    loader: LatestNotesBySessionIdLoader,
    session: TherapySession,
    fields: Sequence[str],
) -> SessionNotes | None:
    found = await loader.load(session.id)
    _record_notes(reader, loader, session, found, fields)
    return found


def _record_notes(
    reader: Reader,
    loader: LatestNotesBySessionIdLoader,
    session: TherapySession,
    found: SessionNotes | None,
    fields: Sequence[str],
) -> None:
    if found is not None and found.id not in loader.audited:
        loader.audited.add(found.id)
        record_reads(reader, "SessionNotes", [(found.id, session.patient_id)], fields)


async def note_versions(
    reader: Reader, session: TherapySession, fields: Sequence[str]
) -> list[SessionNotes]:
    found = await reader.loader(NoteVersionsBySessionIdLoader).load(session.id)
    if found:
        record_reads(
            reader, "SessionNotes", ((n.id, session.patient_id) for n in found), fields
        )
    return found


async def events(reader: Reader, session: TherapySession) -> list[SessionStatusEvent]:
    return await reader.loader(StatusEventsBySessionIdLoader).load(session.id)


async def notes_by_id(
    reader: Reader, notes_id: uuid.UUID, fields: Sequence[str]
) -> SessionNotes | None:
    found = await reader.loader(NotesByIdLoader).load(notes_id)
    if found is not None:
        # the session's patient is not on the row; the session id stands in
        record_reads(reader, "SessionNotes", [(found.id, None)], fields)
    return found


async def addenda(reader: Reader, notes: SessionNotes) -> list[NoteAddendum]:
    return await reader.loader(AddendaByNotesIdLoader).load(notes.id)


async def user_by_id(reader: Reader, user_id: uuid.UUID | None) -> User | None:
    """A user under the users' own scoping (null when not readable)."""
    if user_id is None:
        return None
    return await reader.loader(UserByIdLoader).load(user_id)
