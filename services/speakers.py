"""Correcting a transcript's speaker roles (setSpeakerRoles,
swapSpeakerRoles). The segments are rewritten whole: the column is one
encrypted JSON document, and a role change re-encrypts it like any write."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import SpeakerRole
from db.models import TherapySession, Transcript, User
from db.queries import pipeline as q
from services import segments as seg
from services.access import session_or_not_found
from services.errors import BadInput, Conflict
from services.patients import require_clinician

_SWAP = {
    SpeakerRole.THERAPIST.value: SpeakerRole.CLIENT.value,
    SpeakerRole.CLIENT.value: SpeakerRole.THERAPIST.value,
}


async def _transcript(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> tuple[TherapySession, Transcript]:
    ts = await session_or_not_found(db, user, session_id, lock=True)
    transcript = await q.transcript_of(db, session_id)
    if transcript is None:
        raise Conflict("The session has no transcript yet", "sessionId")
    return ts, transcript


async def set_roles(
    db: AsyncSession,
    user: User,
    session_id: uuid.UUID,
    roles: list[tuple[str, SpeakerRole]],
) -> tuple[TherapySession, Transcript]:
    """Give each named speaker label its role; labels not named keep theirs."""
    require_clinician(user)  # also refused by schema/permissions.py
    ts, transcript = await _transcript(db, user, session_id)
    if not roles:
        raise BadInput("roles", "Name at least one speaker")
    wanted = dict(roles)
    if len(wanted) != len(roles):
        raise BadInput("roles", "A speaker is named twice")
    segments = list(transcript.segments or [])
    labels = {s.get("speaker") for s in segments if isinstance(s, dict)}
    if any(label not in labels for label in wanted):
        # the label is not repeated: it may be a person's name
        raise BadInput("roles", "A speaker label is not in the transcript")
    transcript.segments = seg.with_roles(segments, wanted)
    await db.flush()
    return ts, transcript


async def swap_roles(
    db: AsyncSession, user: User, session_id: uuid.UUID
) -> tuple[TherapySession, Transcript]:
    """THERAPIST segments become CLIENT and CLIENT ones THERAPIST."""
    require_clinician(user)  # also refused by schema/permissions.py
    ts, transcript = await _transcript(db, user, session_id)
    segments = [s for s in transcript.segments or [] if isinstance(s, dict)]
    if not any(s.get("role") in _SWAP for s in segments):
        raise Conflict("The transcript has no speaker roles to swap", "sessionId")
    transcript.segments = [
        {**s, "role": _SWAP.get(s.get("role") or "", s.get("role"))} for s in segments
    ]
    await db.flush()
    return ts, transcript
