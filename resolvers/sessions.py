"""Therapy session resolvers: root fields, Patient.sessions, nested fields.
Each turns the query into plain data (ids, page arguments, the names and PHI
fields selected) and calls one read service (services/session_reads.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

from strawberry.types import Info

from db.enums import SessionStatus
from db.models import (
    AudioFile,
    Patient,
    SessionNotes,
    SessionStatusEvent,
    TherapySession,
    Transcript,
    User,
)
from resolvers.context import Context
from resolvers.ids import decode_id
from resolvers.pagination import page_args
from resolvers.patients import patient_by_id
from resolvers.reads import phi_selected, selected_names, static_selection
from services import session_reads as reads
from services.processing import Processing
from services.reads import Counted, found_or_raise

Ctx = Info[Context, Any]


async def session(info: Ctx, global_id: str) -> TherapySession | None:
    sid = decode_id(global_id, "TherapySession")
    wanted = selected_names(info)
    fields = phi_selected(info, "TherapySession")
    return await reads.session_detail(info.context, sid, wanted, fields)


async def session_by_id(info: Ctx, sid: uuid.UUID) -> TherapySession | None:
    fields = phi_selected(info, "TherapySession")
    return await reads.session_by_id(info.context, sid, fields)


async def sessions(
    info: Ctx,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    patient_id: str | None,
    status: SessionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Counted:
    args = page_args(first, after, last, before)
    pid = decode_id(patient_id, "Patient", "patientId") if patient_id else None
    f = reads.session_filter(pid, status, date_from, date_to)
    fields = phi_selected(info, "TherapySession", "edges", "node")
    return await reads.sessions_page(info.context, f, args, fields)


async def patient_sessions(
    info: Ctx,
    root: Patient,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    status: SessionStatus | None,
    date_from: datetime | None,
    date_to: datetime | None,
) -> Counted:
    args = page_args(first, after, last, before)
    f = reads.session_filter(None, status, date_from, date_to)
    fields = phi_selected(info, "TherapySession", "edges", "node")
    # every session's notes field runs when nothing below carries a directive:
    # the service then records the notes' READs with the page
    notes_fields = (
        phi_selected(info, "SessionNotes", "edges", "node", "notes")
        if "notes" in fields and static_selection(info)
        else None
    )
    return await reads.patient_sessions(
        info.context, root.id, f, args, fields, notes_fields
    )


async def session_patient(info: Ctx, root: TherapySession) -> Patient:
    return found_or_raise(await patient_by_id(info, root.patient_id), "Patient")


async def session_therapist(info: Ctx, root: TherapySession) -> User:
    found = await reads.user_by_id(info.context, root.therapist_id)
    return found_or_raise(found, "User")


async def audio(info: Ctx, root: TherapySession) -> AudioFile | None:
    return await reads.audio(info.context, root)


async def transcript(info: Ctx, root: TherapySession) -> Transcript | None:
    fields = phi_selected(info, "Transcript")
    return await reads.transcript(info.context, root, fields)


async def processing(info: Ctx, root: TherapySession) -> Processing | None:
    return await reads.processing(info.context, root)


def notes(
    info: Ctx, root: TherapySession
) -> SessionNotes | Awaitable[SessionNotes | None] | None:
    """The latest notes, or an awaitable of them when not loaded yet
    (synchronous and @repeatable: the service records the READ once)."""
    return reads.latest_notes(info.context, root, phi_selected(info, "SessionNotes"))


async def note_versions(info: Ctx, root: TherapySession) -> list[SessionNotes]:
    fields = phi_selected(info, "SessionNotes")
    return await reads.note_versions(info.context, root, fields)


async def events(info: Ctx, root: TherapySession) -> list[SessionStatusEvent]:
    return await reads.events(info.context, root)
