"""Session notes resolvers: node lookup, nested fields, formatted text."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.types import Info

from db.models import SessionNotes, TherapySession, User
from resolvers.context import Context
from resolvers.reads import phi_selected
from resolvers.sessions import session_by_id
from services import session_reads
from services.note_format import NoteFormat, render
from services.notes import NoteContent
from services.reads import found_or_raise, refuse_patient_role


async def notes_by_id(
    info: Info[Context, Any], notes_id: uuid.UUID
) -> SessionNotes | None:
    fields = phi_selected(info, "SessionNotes")
    return await session_reads.notes_by_id(info.context, notes_id, fields)


async def notes_session(info: Info[Context, Any], root: SessionNotes) -> TherapySession:
    return found_or_raise(await session_by_id(info, root.session_id), "Session")


async def author(info: Info[Context, Any], root: SessionNotes) -> User | None:
    return await session_reads.user_by_id(info.context, root.author_id)


def content(root: SessionNotes) -> NoteContent:
    """The decrypted, typed content (parsed once per row)."""
    cached: NoteContent | None = root.__dict__.get("_typed_content")
    if cached is None:
        cached = NoteContent.from_dict(root.content)
        root.__dict__["_typed_content"] = cached
    return cached


def key_topics(root: SessionNotes) -> list[str]:
    """The stored list as is when it has the stored shape (a page of 500
    notes need not validate every note's whole document for two fields)."""
    raw = root.content.get("key_topics") if isinstance(root.content, dict) else None
    if isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        return raw
    return content(root).key_topics


def topic_summary(root: SessionNotes) -> str:
    raw = root.content.get("topic_summary") if isinstance(root.content, dict) else None
    return raw if isinstance(raw, str) else content(root).topic_summary


def hidden_content(info: Info[Context, Any], root: SessionNotes) -> NoteContent:
    """Content of a field hidden from patients (FORBIDDEN for them)."""
    refuse_patient_role(info.context)
    return content(root)


def formatted(info: Info[Context, Any], root: SessionNotes, fmt: NoteFormat) -> str:
    # every format carries therapist notes and risk flags
    refuse_patient_role(info.context)
    return render(content(root), root.session_mood, root.mood_trajectory, fmt)
