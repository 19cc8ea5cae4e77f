"""Prometheus metrics: request counts and latencies, jobs, subscriptions, pool.

Labels are operation names, task names and error codes only, never user data.
With ``PROMETHEUS_MULTIPROC_DIR`` set (``serve --workers N``), every process
writes its values to files there and a scrape merges them, so any worker can
answer ``/metrics`` for all of them.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.queries.ops import queue_depth

# prometheus_client leaves these three unannotated: the signatures used here
_disable_created_metrics: Callable[[], None] = disable_created_metrics
_mark_process_dead: Callable[[int, str], None] = mark_process_dead
_MultiProcessCollector: Callable[[CollectorRegistry, str], object] = (
    MultiProcessCollector
)

# the *_created series double the output and nothing here reads them
_disable_created_metrics()

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
JOB_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)

REQUESTS = Counter(
    "therapybridge_graphql_requests_total",
    "GraphQL operations by type, name and outcome (ok or the error code)",
    ["operation_type", "operation", "outcome"],
)
LATENCY = Histogram(
    "therapybridge_graphql_request_duration_seconds",
    "GraphQL operation latency",
    ["operation_type", "operation"],
    buckets=LATENCY_BUCKETS,
)
JOB_DURATION = Histogram(
    "therapybridge_job_duration_seconds",
    "Background job run time by task",
    ["task"],
    buckets=JOB_BUCKETS,
)
JOBS = Counter(
    "therapybridge_jobs_total",
    "Background job runs by task and outcome (ok or failed)",
    ["task", "outcome"],
)
JOB_FAILURES = Counter(
    "therapybridge_job_failures_total",
    "Background job runs that raised, by task",
    ["task"],
)
SUBSCRIPTIONS = Gauge(
    "therapybridge_open_subscriptions",
    "GraphQL subscriptions currently open",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "therapybridge_db_pool_checked_out",
    "Database connections currently checked out of the pool",
    multiprocess_mode="livesum",
)
POOL_CAPACITY = Gauge(
    "therapybridge_db_pool_capacity",
    "Connections the pool may open (pool size plus overflow)",
    multiprocess_mode="livesum",
)

# A client chooses operation names; cap their number per process so a
# misbehaving client cannot grow the label set without bound.
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_NAMES = 200
_seen_names: set[str] = set()
_names_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """A bounded, safe label for a client-supplied operation name."""
    if not name:
        return "anonymous"
    if not _NAME_RE.match(name):
        return "invalid"
    with _names_lock:
        if name in _seen_names:
            return name
        if len(_seen_names) >= MAX_OPERATION_NAMES:
            return "other"
        _seen_names.add(name)
    return name


def observe_request(
    operation_type: str, operation: str, outcome: str, seconds: float
) -> None:
    """Count one GraphQL operation and record its latency."""
    REQUESTS.labels(operation_type, operation, outcome).inc()
    LATENCY.labels(operation_type, operation).observe(seconds)


@contextlib.contextmanager
def observe_job(task: str) -> Iterator[None]:
    """Time a job run; count it as failed when it raises."""
    started = time.perf_counter()
    try:
        yield
    except Exception:
        JOB_FAILURES.labels(task).inc()
        JOBS.labels(task, "failed").inc()
        raise
    else:
        JOBS.labels(task, "ok").inc()
    finally:
        JOB_DURATION.labels(task).observe(time.perf_counter() - started)


def subscription_opened() -> None:
    """Call when a subscription starts streaming."""
    SUBSCRIPTIONS.inc()


def subscription_closed() -> None:
    """Call when a subscription ends, however it ends."""
    SUBSCRIPTIONS.dec()


@contextlib.contextmanager
def track_subscription() -> Iterator[None]:
    """Count an open subscription for the duration of the block."""
    subscription_opened()
    try:
        yield
    finally:
        subscription_closed()


def instrument_pool(engine: AsyncEngine, capacity: int) -> None:
    """Follow the pool's check-outs through events.

    Events rather than reading ``pool.checkedout()`` at scrape time: in
    multi-process mode the scraping process cannot see the other pools.
    """
    POOL_CAPACITY.inc(capacity)

    def checkout(*_: Any) -> None:
        POOL_CHECKED_OUT.inc()

    def checkin(*_: Any) -> None:
        POOL_CHECKED_OUT.dec()

    event.listen(engine.sync_engine.pool, "checkout", checkout)
    event.listen(engine.sync_engine.pool, "checkin", checkin)


def release_pool(capacity: int) -> None:
    """Undo instrument_pool's capacity when the engine is disposed."""
    POOL_CAPACITY.dec(capacity)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def process_exiting() -> None:
    """Drop this process's live gauges (multi-process mode)."""
    path = multiprocess_dir()
    if path:
        _mark_process_dead(os.getpid(), path)


class _ScrapeTime:
    """Figures read from the database at scrape time (the same in every process)."""

    def __init__(self, depth: list[tuple[str, str, int]]) -> None:
        self.depth = depth

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "therapybridge_job_queue_depth",
            "Jobs waiting (todo) or running (doing), by queue",
            labels=["queue", "status"],
        )
        for queue, status, count in self.depth:
            family.add_metric([queue, status], count)
        yield family


async def render(session_factory: async_sessionmaker[AsyncSession]) -> bytes:
    """The Prometheus text exposition of every metric."""
    try:
        async with session_factory() as db:
            depth = await queue_depth(db)
    except Exception:  # a scrape must not fail because the database is down
        depth = []
    registry = CollectorRegistry(auto_describe=True)
    path = multiprocess_dir()
    if path:
        _MultiProcessCollector(registry, path)
        own = b""
    else:
        own = generate_latest(REGISTRY)
    registry.register(_ScrapeTime(depth))
    return own + generate_latest(registry)
