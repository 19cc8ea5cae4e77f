"""The application's lifespan: on start the engine, the event broker, the
job queue, the in-process job worker and the METRICS_PORT listener (each
behind a file lock, one per machine and DATA_DIR), the idle-time collector;
on stop the same, in reverse, after the audit batcher's last flush."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from db.engine import create_engine, create_sessionmaker
from db.runtime import resolve_database_url
from schema.metrics_http import metrics_port_server
from services import jobs, metrics, ops_jobs, storage
from services.audit import batcher as audit_batcher
from services.collector import collector
from services.events import broker
from settings import Settings

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


@dataclass
class FactoryCell:
    """The application's session factory: the one a test gave, or the one the
    lifespan makes from its engine; called by whatever needs it per request."""

    current: async_sessionmaker[AsyncSession] | None = None

    def __call__(self) -> async_sessionmaker[AsyncSession]:
        if self.current is None:
            raise RuntimeError("no session factory before the lifespan starts")
        return self.current


def claim_lock(settings: Settings, state: dict[str, Any], name: str) -> bool:
    """One in-process job worker (and one METRICS_PORT listener) per machine
    and DATA_DIR: with --workers N the uvicorn processes race for a file lock;
    the lock dies with its holder."""
    path = settings.data_dir.expanduser().resolve() / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    state[f"{name}_lock"] = handle  # held open for the process's life
    return True


def lifespan_for(
    settings: Settings,
    state: dict[str, Any],
    factory: FactoryCell,
    *,
    own_engine: bool,
) -> Lifespan:
    """``own_engine``: the lifespan creates the engine (and the session
    factory, kept in ``factory``) and starts the background parts; otherwise
    (tests) ``factory`` holds one already and nothing else is started."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine: AsyncEngine | None = None
        capacity = settings.db_pool_size + settings.db_max_overflow
        worker: asyncio.Task[None] | None = None
        idle_gc: asyncio.Task[None] | None = None
        metrics_server: Any = None
        metrics_task: asyncio.Task[None] | None = None
        if own_engine:
            url = resolve_database_url()
            engine = create_engine(settings, url)
            metrics.instrument_pool(engine, capacity)
            factory.current = create_sessionmaker(engine)
            await broker.start(url)
            await jobs.open_jobs(settings, url, factory.current)
            if settings.auto_cleanup_on_startup:
                await ops_jobs.defer_cleanup()
            if settings.in_process_worker and claim_lock(settings, state, "worker"):
                worker = asyncio.create_task(
                    jobs.run_worker(install_signal_handlers=False)
                )
            collector.tune()
            idle_gc = asyncio.create_task(collector.run())
            if settings.metrics_port and claim_lock(settings, state, "metrics"):
                metrics_server = metrics_port_server(settings, factory)
                metrics_task = asyncio.create_task(metrics_server.serve())
        try:
            yield
        finally:
            if metrics_task is not None:
                metrics_server.should_exit = True
                await metrics_task
            if worker is not None:
                # bounded even while the database is away (services/jobs.py)
                await jobs.stop_worker(worker)
            if idle_gc is not None:
                idle_gc.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await idle_gc
            await jobs.close_jobs()
            await storage.close_stores()
            await broker.stop()
            await audit_batcher.flush()
            if engine is not None:
                await engine.dispose()
                metrics.release_pool(capacity)
            metrics.process_exiting()

    return lifespan
