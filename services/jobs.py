"""Durable background jobs with procrastinate on the application's PostgreSQL.

Other parts add tasks with ``@jobs.app.task(...)`` / ``@jobs.app.periodic(...)``
and enqueue with ``await some_task.defer_async(...)`` after their transaction
commits (``ctx.after_commit``). ``open_jobs`` must have run in the process:
the app lifespan and ``therapybridge worker`` do it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import to_libpq_url
from services import analytics_jobs, pipeline
from services.ai import is_transient
from settings import Settings, get_settings

log = logging.getLogger("therapybridge.jobs")

# the connection is given by open_jobs(); tasks only need the app object
app = procrastinate.App(
    connector=PsycopgConnector(),
    # modules whose tasks a worker must know (imported when it starts)
    import_paths=[__name__, "services.ops_jobs", "services.alert_jobs"],
)
app.add_tasks_from(analytics_jobs.blueprint, namespace="analytics")


@dataclass
class Runtime:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    pool: AsyncConnectionPool


_runtime: Runtime | None = None


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("jobs are not open in this process: call open_jobs()")
    return _runtime


async def open_jobs(
    settings: Settings,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """Connect the job app to the database (to defer jobs and run workers)."""
    global _runtime
    if _runtime is not None:
        return
    pool = AsyncConnectionPool(
        to_libpq_url(database_url),
        min_size=1,
        max_size=max(2, settings.worker_concurrency + 2),
        open=False,
        check=AsyncConnectionPool.check_connection,
        kwargs={"application_name": "therapybridge-jobs"},
    )
    await pool.open(wait=True)
    await app.open_async(pool=pool)
    _runtime = Runtime(settings, session_factory, pool)


async def close_jobs() -> None:
    global _runtime
    if _runtime is None:
        return
    await app.close_async()
    await _runtime.pool.close()
    _runtime = None


async def run_worker(*, install_signal_handlers: bool = True) -> None:
    """Run a worker until cancelled (or until a signal, when it owns them)."""
    settings = runtime().settings
    await app.run_worker_async(
        name="therapybridge",
        concurrency=settings.worker_concurrency,
        update_heartbeat_interval=settings.worker_heartbeat_seconds,
        stalled_worker_timeout=settings.worker_stalled_seconds,
        install_signal_handlers=install_signal_handlers,
        delete_jobs="successful",
        shutdown_graceful_timeout=10,
    )


class TransientRetry(procrastinate.BaseRetryStrategy):
    """Exponential backoff for transient AI errors (timeouts, 429, 5xx) only;
    the numbers come from the settings at run time."""

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
        if not is_transient(exception):
            return None
        s = get_settings()
        inner = RetryStrategy(
            max_attempts=s.job_max_attempts - 1,
            exponential_wait=s.job_retry_base_seconds,
        )
        return inner.get_retry_decision(exception=exception, job=job)


RETRY = TransientRetry()


def _will_retry(context: JobContext) -> Any:
    job = context.job

    def check(exc: BaseException) -> bool:
        return (
            job is not None
            and RETRY.get_retry_decision(exception=exc, job=job) is not None
        )

    return check


@app.task(name="session.transcribe", queue="pipeline", retry=RETRY, pass_context=True)
async def transcribe(context: JobContext, session_id: str) -> None:
    rt = runtime()
    sid = uuid.UUID(session_id)
    done = await pipeline.run_transcription(
        rt.session_factory, rt.settings, sid, _will_retry(context)
    )
    if done:
        await enqueue_extraction(sid)


@app.task(
    name="session.extract_notes", queue="pipeline", retry=RETRY, pass_context=True
)
async def extract_notes(context: JobContext, session_id: str) -> None:
    rt = runtime()
    await pipeline.run_extraction(
        rt.session_factory, rt.settings, uuid.UUID(session_id), _will_retry(context)
    )


async def _defer(task: Any, stage: str, session_id: uuid.UUID) -> None:
    try:
        await task.configure(
            # one job per session runs at a time; a duplicate waiting job is
            # refused by the queueing lock
            lock=f"session:{session_id}",
            queueing_lock=f"{stage}:{session_id}",
        ).defer_async(session_id=str(session_id))
    except AlreadyEnqueued:
        log.info("job already queued", extra={"session_id": str(session_id)})


async def enqueue_transcription(session_id: uuid.UUID) -> None:
    """Queue ``session.transcribe``; call after the session's commit."""
    await _defer(transcribe, "transcribe", session_id)


async def enqueue_extraction(session_id: uuid.UUID) -> None:
    """Queue ``session.extract_notes``; call after the session's commit."""
    await _defer(extract_notes, "extract", session_id)


async def enqueue_stage(session_id: uuid.UUID, stage: str) -> None:
    """Queue the job that continues a session from ``stage`` (a job name)."""
    if stage == "transcribe":
        await enqueue_transcription(session_id)
    else:
        await enqueue_extraction(session_id)


@app.periodic(cron="* * * * * */5", periodic_id="stalled")
@app.task(
    name="jobs.retry_stalled",
    queue="maintenance",
    queueing_lock="jobs.retry_stalled",
    pass_context=True,
)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """Put the running jobs of workers without a recent heartbeat back in the
    queue: a worker killed mid-job leaves no session stuck."""
    manager = context.app.job_manager if context.app else app.job_manager
    stalled = await manager.get_stalled_jobs(
        seconds_since_heartbeat=runtime().settings.worker_stalled_seconds
    )
    for job in stalled:
        log.warning("retrying a stalled job", extra={"job": str(job.id)})
        await manager.retry_job(job)
