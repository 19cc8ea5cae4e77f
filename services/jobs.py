"""Durable background jobs with procrastinate on the application's PostgreSQL.

Other parts add tasks with ``@jobs.app.task(...)`` / ``@jobs.app.periodic(...)``.
Jobs that follow a change are queued IN the change's transaction
(``services.enqueue``: procrastinate's own defer SQL on the caller's
connection), so a commit always carries its job. ``open_jobs`` must have run
in the process to run workers: the app lifespan and ``therapybridge worker``
do it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import JobContext, PsycopgConnector, RetryStrategy
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import to_libpq_url
from db.errors import is_retryable
from services import analytics_jobs, pipeline
from services.ai import is_transient
from services.enqueue import EXTRACT, TRANSCRIBE
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


# how long a stopping worker may take before its pool is closed under it
# (procrastinate's shutdown_graceful_timeout for running jobs, and a margin)
WORKER_STOP_SECONDS = 12.0


async def stop_worker(
    worker: asyncio.Task[None], grace: float = WORKER_STOP_SECONDS
) -> None:
    """Cancel an in-process worker and wait for it, then close the jobs' pool.

    With the database away, the worker's shutdown waits for a connection (the
    pool's 30 s, then again); after ``grace`` seconds the pool is closed, which
    fails that wait at once (psycopg_pool: waiting clients get PoolClosed), so
    the process stops within about ``grace`` seconds whatever the database does.
    """
    worker.cancel()
    await asyncio.wait({worker}, timeout=grace)
    if not worker.done():
        log.warning("job worker still stopping after %.0f s; closing its pool", grace)
    await close_jobs()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


# how long a worker that lost the database waits before starting again
RESTART_DELAYS = (0.5, 0.5, 1.0, 2.0)


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def run_worker(*, install_signal_handlers: bool = True) -> None:
    """Run a worker until cancelled (or until SIGINT/SIGTERM, when it owns
    the signals).

    procrastinate's worker stops when the database goes away (a failed fetch
    or heartbeat ends it). It is started again here until the database is
    back; the jobs it was running are put back in the queue by
    ``retry_stalled_jobs`` once their worker's heartbeat is old.
    """
    settings = runtime().settings
    task = asyncio.current_task()
    assert task is not None
    if install_signal_handlers:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
    failures = 0
    while True:
        started = loop_time()
        try:
            await app.run_worker_async(
                name="therapybridge",
                concurrency=settings.worker_concurrency,
                update_heartbeat_interval=settings.worker_heartbeat_seconds,
                stalled_worker_timeout=settings.worker_stalled_seconds,
                # cancelling this task stops the worker gracefully
                install_signal_handlers=False,
                delete_jobs="successful",
                shutdown_graceful_timeout=10,
            )
            if task.cancelling():
                raise asyncio.CancelledError
            log.warning("job worker stopped; starting it again")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if task.cancelling():
                # cancelled while the database was away: procrastinate's
                # shutdown (unregistering the worker) failed and its error
                # took the cancel's place; starting again would never end
                raise asyncio.CancelledError from exc
            log.warning("job worker failed (%s); starting it again", type(exc).__name__)
        # a worker that ran a while had the database: start again quickly
        failures = 0 if loop_time() - started > 30 else failures + 1
        await asyncio.sleep(RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)])


class TransientRetry(procrastinate.BaseRetryStrategy):
    """Exponential backoff for transient AI errors (timeouts, 429, 5xx) and a
    database that was away (or asked for a retry: deadlock, serialization);
    the numbers come from the settings at run time."""

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
        if not (is_transient(exception) or is_retryable(exception)):
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


@app.task(name=TRANSCRIBE.name, queue=TRANSCRIBE.queue, retry=RETRY, pass_context=True)
async def transcribe(context: JobContext, session_id: str) -> None:
    """The extraction job is queued in the TRANSCRIBED transaction itself."""
    rt = runtime()
    await pipeline.run_transcription(
        rt.session_factory, rt.settings, uuid.UUID(session_id), _will_retry(context)
    )


@app.task(name=EXTRACT.name, queue=EXTRACT.queue, retry=RETRY, pass_context=True)
async def extract_notes(context: JobContext, session_id: str) -> None:
    rt = runtime()
    await pipeline.run_extraction(
        rt.session_factory, rt.settings, uuid.UUID(session_id), _will_retry(context)
    )


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
