"""Operations jobs: the daily audio clean-up, exports and their expiry, and the
job metrics every task reports (a worker middleware)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from procrastinate import JobContext
from procrastinate.exceptions import AlreadyEnqueued

from services import exports, logs, metrics, retention
from services.jobs import app, runtime

log = logging.getLogger("therapybridge.ops_jobs")


async def measure_job(
    call_next: Callable[[], Awaitable[Any]], context: JobContext, worker: Any
) -> Any:
    """Time every job, count failures by task, name the job in the log context."""
    task = context.job.task_name if context.job else "unknown"
    logs.bind(job=f"{task}#{context.job.id if context.job else ''}")
    try:
        with metrics.observe_job(task):
            return await call_next()
    finally:
        logs.bind(job=None)


# every worker this app starts (in-process or `therapybridge worker`)
app.worker_defaults.setdefault("worker_middleware", []).append(measure_job)


@app.periodic(cron="0 3 * * *", periodic_id="audio_cleanup")
@app.task(
    name="ops.cleanup_audio",
    queue="maintenance",
    queueing_lock="ops.cleanup_audio",
)
async def cleanup_audio_task(timestamp: int | None = None) -> None:
    """The daily retention clean-up (also deferred at start-up when
    AUTO_CLEANUP_ON_STARTUP is set)."""
    rt = runtime()
    async with rt.session_factory() as db:
        await retention.cleanup_audio(db, rt.settings, dry_run=False)
        await db.commit()


async def defer_cleanup() -> None:
    """Queue one clean-up now (a second one waiting is refused by the lock)."""
    try:
        await cleanup_audio_task.defer_async()
    except AlreadyEnqueued:
        log.info("audio clean-up already queued")


@app.task(name="ops.render_export", queue="exports")
async def render_export_task(export_id: str) -> None:
    """Produce one export file (DONE, or FAILED with a message)."""
    rt = runtime()
    # imported here: fpdf2, python-docx and matplotlib cost start-up time and
    # memory in every server process, and only the export job needs them
    from services import export_build

    await export_build.run_export(rt.session_factory, rt.settings, uuid.UUID(export_id))


@app.periodic(cron="17 * * * *", periodic_id="expire_exports")
@app.task(
    name="ops.expire_exports",
    queue="maintenance",
    queueing_lock="ops.expire_exports",
)
async def expire_exports_task(timestamp: int | None = None) -> None:
    """Hourly: delete export files past their expiry."""
    rt = runtime()
    async with rt.session_factory() as db:
        await exports.delete_expired(db, rt.settings)
        await db.commit()
