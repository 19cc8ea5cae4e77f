"""Jobs enqueued in the transaction of the change they follow.

Why procrastinate's own SQL on the request's connection, not an outbox table:
the job row then IS the durable record. An outbox needs a second table, a
drainer in every worker, and its own at-least-once bookkeeping, and it only
moves the window (outbox row -> job) instead of closing it. Deferring through
``procrastinate_defer_jobs_v1`` inside the caller's transaction makes the job
commit with the status it follows, or vanish with it on rollback: a process
killed right after COMMIT has already left the job in the queue; a process
killed before it leaves neither. The queue lives in the same database as the
data (see DESIGN.md), so no distributed commit is needed.

Callers hold the session's row lock (``lock_session``) or create the session,
so two transactions never race to queue the same stage; the queueing lock
then only turns a repeated request into a no-op.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.jobs import defer_job


@dataclass(frozen=True)
class Task:
    name: str
    queue: str


TRANSCRIBE = Task("session.transcribe", "pipeline")
EXTRACT = Task("session.extract_notes", "pipeline")
RENDER_EXPORT = Task("ops.render_export", "exports")

STAGES = {"transcribe": TRANSCRIBE, "extract": EXTRACT}


async def session_stage(db: AsyncSession, stage: str, session_id: uuid.UUID) -> None:
    """Queue the job that continues a session from ``stage`` ("transcribe" or
    "extract"), in ``db``'s transaction."""
    task = STAGES[stage]
    await defer_job(
        db,
        task=task.name,
        queue=task.queue,
        args={"session_id": str(session_id)},
        # one job per session runs at a time; a duplicate waiting job is a no-op
        lock=f"session:{session_id}",
        queueing_lock=f"{stage}:{session_id}",
    )


async def export(db: AsyncSession, export_id: uuid.UUID) -> None:
    """Queue the rendering of an export, in ``db``'s transaction."""
    await defer_job(
        db,
        task=RENDER_EXPORT.name,
        queue=RENDER_EXPORT.queue,
        args={"export_id": str(export_id)},
        queueing_lock=f"export:{export_id}",
    )
