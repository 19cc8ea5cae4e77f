"""Resolvers for signed notes and addenda."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from db.models import NoteAddendum, SessionNotes, TherapySession, User
from resolvers.audit import AuditAction, audit
from resolvers.context import Context
from resolvers.ids import decode_id
from services import session_reads, signing

Ctx = Info[Context, Any]


async def _patient_of(info: Ctx, notes: SessionNotes) -> Any:
    row = await info.context.db.get(TherapySession, notes.session_id)
    return row.patient_id if row else None


async def sign_notes(info: Ctx, session_id: str) -> SessionNotes:
    ctx = info.context
    sid = decode_id(session_id, "TherapySession", "sessionId")
    notes = await signing.sign_notes(ctx.db, ctx.require_user(), sid)
    patient_id = await _patient_of(info, notes)
    audit(
        ctx,
        AuditAction.SIGN,
        "SessionNotes",
        notes.id,
        patient_id,
        ["signedAt", "signedBy"],
    )
    return notes


async def add_addendum(info: Ctx, session_id: str, text: str) -> SessionNotes:
    ctx = info.context
    sid = decode_id(session_id, "TherapySession", "sessionId")
    notes = await signing.add_addendum(ctx.db, ctx.require_user(), sid, text)
    patient_id = await _patient_of(info, notes)
    audit(ctx, AuditAction.CREATE, "NoteAddendum", notes.id, patient_id, ["text"])
    return notes


async def addenda(info: Ctx, root: SessionNotes) -> list[NoteAddendum]:
    return await session_reads.addenda(info.context, root)


async def user_by_id(info: Ctx, user_id: Any) -> User | None:
    return await session_reads.user_by_id(info.context, user_id)
