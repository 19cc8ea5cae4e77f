"""The session status machine: the only place a session's status changes.

UPLOADING -> TRANSCRIBING -> TRANSCRIBED -> EXTRACTING_NOTES -> PROCESSED, or
FAILED from any working stage. Each transition writes the status, appends a
``session_status_events`` row and NOTIFYs ``<session id>:<event id>`` in the
caller's transaction, so all three commit (or vanish) together.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import SessionStatus as S
from db.models import SessionStatusEvent, TherapySession
from db.queries.pipeline import add_status_event
from services.errors import Conflict

# where a session may go from each status; None is a session being created
ALLOWED: dict[S | None, frozenset[S]] = {
    None: frozenset({S.UPLOADING, S.TRANSCRIBED}),
    S.SCHEDULED: frozenset({S.UPLOADING, S.TRANSCRIBED}),
    S.UPLOADING: frozenset({S.TRANSCRIBING, S.FAILED}),
    S.TRANSCRIBING: frozenset({S.TRANSCRIBED, S.FAILED}),
    S.TRANSCRIBED: frozenset({S.EXTRACTING_NOTES, S.FAILED}),
    S.EXTRACTING_NOTES: frozenset({S.PROCESSED, S.FAILED}),
    # extractNotes re-runs extraction on the stored transcript
    S.PROCESSED: frozenset({S.TRANSCRIBED}),
    # retrySession resumes from the stage that failed
    S.FAILED: frozenset({S.UPLOADING, S.TRANSCRIBED}),
}

# the status a job starts from, for each stage that can fail
RESUME_FROM: dict[S, S] = {
    S.UPLOADING: S.UPLOADING,
    S.TRANSCRIBING: S.UPLOADING,
    S.TRANSCRIBED: S.TRANSCRIBED,
    S.EXTRACTING_NOTES: S.TRANSCRIBED,
}


class IllegalTransition(Conflict):
    def __init__(self, current: S | None, target: S) -> None:
        name = current.value if current else "new"
        super().__init__(f"A {name} session cannot move to {target.value}")


def can_move(current: S | None, target: S) -> bool:
    return target in ALLOWED.get(current, frozenset())


async def transition(
    db: AsyncSession,
    ts: TherapySession,
    target: S,
    *,
    error_message: str | None = None,
    new: bool = False,
) -> SessionStatusEvent:
    """Move ``ts`` to ``target`` (the row must be locked or new); refuse
    illegal moves with CONFLICT."""
    current = None if new else ts.status
    if not can_move(current, target):
        raise IllegalTransition(current, target)
    if target is S.FAILED:
        ts.failed_stage = current.value if current else None
        ts.error_message = (error_message or "Processing failed")[:500]
    else:
        ts.error_message = None
        if target is S.PROCESSED:
            ts.failed_stage = None
    ts.status = target
    await db.flush()
    event = SessionStatusEvent(
        session_id=ts.id,
        status=target,
        previous_status=current,
        error_message=ts.error_message if target is S.FAILED else None,
    )
    await add_status_event(db, event)
    return event
