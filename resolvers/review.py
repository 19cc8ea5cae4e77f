"""Resolvers for signed notes and addenda (services/review_writes.py)."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from db.models import NoteAddendum, SessionNotes, User
from resolvers.context import Context
from resolvers.ids import decode_id
from services import review_writes, session_reads

Ctx = Info[Context, Any]


async def sign_notes(info: Ctx, session_id: str) -> SessionNotes:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await review_writes.sign_notes(info.context, sid)


async def add_addendum(info: Ctx, session_id: str, text: str) -> SessionNotes:
    sid = decode_id(session_id, "TherapySession", "sessionId")
    return await review_writes.add_addendum(info.context, sid, text)


async def addenda(info: Ctx, root: SessionNotes) -> list[NoteAddendum]:
    return await session_reads.addenda(info.context, root)


async def user_by_id(info: Ctx, user_id: Any) -> User | None:
    return await session_reads.user_by_id(info.context, user_id)
