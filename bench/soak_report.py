"""What the soak (bench/soak.py) measures and how it sums it up: the RSS of
each server process, PostgreSQL's connections and final statuses, sampled
every 10 s, and the report (errors outside the deliberately bad requests, p99
of the first and last minute, RSS growth and its floor, status changes
delivered, the outage's requests)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

import psutil
import psycopg

from tests.e2e.server import ServerProcess

if TYPE_CHECKING:
    from bench.soak import State
    from bench.soak_clients import SubscriptionClient


def process_rss(server: ServerProcess, worker: ServerProcess) -> dict[str, float]:
    """RSS in MB of each server process: the serve master, its uvicorn
    workers, the job worker."""
    out: dict[str, float] = {}
    assert server.proc is not None
    assert worker.proc is not None
    master = psutil.Process(server.proc.pid)
    out["serve master"] = master.memory_info().rss / 2**20
    for n, child in enumerate(sorted(master.children(), key=lambda p: p.pid)):
        with contextlib.suppress(psutil.Error):
            out[f"serve worker {n + 1}"] = child.memory_info().rss / 2**20
    out["job worker"] = psutil.Process(worker.proc.pid).memory_info().rss / 2**20
    return out


def final_statuses(libpq: str) -> dict[str, Any]:
    with psycopg.connect(libpq, connect_timeout=3) as conn:
        sessions = conn.execute(
            "SELECT status, count(*) FROM therapy_sessions GROUP BY status"
        ).fetchall()
        jobs = conn.execute(
            "SELECT task_name, status::text, count(*) FROM procrastinate_jobs"
            " GROUP BY 1, 2"
        ).fetchall()
    return {"sessions": [list(r) for r in sessions], "jobs": [list(r) for r in jobs]}


def db_connections(libpq: str) -> int | None:
    try:
        with psycopg.connect(libpq, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'therapybridge'"
            ).fetchone()
            return int(row[0]) - 1 if row else None  # not this one
    except psycopg.Error:
        return None


async def sample(
    state: State,
    server: ServerProcess,
    worker: ServerProcess,
    libpq: str,
    samples: list[dict[str, Any]],
) -> None:
    while True:
        samples.append(
            {
                "t": time.monotonic() - state.started,
                "rss": process_rss(server, worker),
                "db": await asyncio.to_thread(db_connections, libpq),
            }
        )
        await asyncio.sleep(10)


def p99(values: list[float]) -> float:
    values = sorted(values)
    return (
        values[min(len(values) - 1, int(len(values) * 0.99))] * 1000 if values else 0.0
    )


def summarise(
    state: State,
    subs: list[SubscriptionClient],
    samples: list[dict[str, Any]],
    kinds: list[str],
) -> dict[str, Any]:
    records = state.records
    outage = state.outage
    during = [r for r in records if outage and outage[0] <= r.at <= outage[1]]
    outside = [r for r in records if r not in during]
    errors: dict[str, int] = {}
    for r in outside:
        if r.kind != "bad" and r.outcome != "ok":
            errors[f"{r.kind}: {r.outcome}"] = (
                errors.get(f"{r.kind}: {r.outcome}", 0) + 1
            )
    bad = [r.outcome for r in records if r.kind == "bad"]
    end = max((r.at for r in records), default=0)
    first = [r.seconds for r in outside if r.at < 60 and r.outcome == "ok"]
    last = [r.seconds for r in outside if r.at >= end - 60 and r.outcome == "ok"]
    rss_first = next((s["rss"] for s in samples if s["t"] >= 60), samples[0]["rss"])
    rss_last = samples[-1]["rss"]
    growth = {
        name: round((rss_last.get(name, 0) - mb) / mb * 100, 1)
        for name, mb in rss_first.items()
    }
    # the floor of each window: a login hashes with argon2 (tens of MiB while
    # it runs), so one sample can catch a transient; a leak raises the floor
    second = [x["rss"] for x in samples if 60 <= x["t"] < 120]
    final = [x["rss"] for x in samples if x["t"] >= end - 60]
    floor_growth = {
        name: round(
            (min(x.get(name, 0) for x in final) - min(x[name] for x in second))
            / min(x[name] for x in second)
            * 100,
            1,
        )
        for name in (second[0] if second and final else {})
    }
    db = [s["db"] for s in samples if s["db"] is not None]
    first_db = [s["db"] for s in samples if s["t"] < 70 and s["db"] is not None]
    expected = sum(s.expected(state.sessions) for s in subs)
    delivered = sum(s.delivered(state.sessions) for s in subs)
    out: dict[str, Any] = {
        "requests": len(records),
        "by kind": {k: sum(1 for r in records if r.kind == k) for k in kinds},
        "errors outside the bad requests": errors,
        "deliberately bad, codes": sorted(set(bad)),
        "p99 first minute (ms)": round(p99(first), 1),
        "p99 last minute (ms)": round(p99(last), 1),
        "p99 ratio last/first": round(p99(last) / p99(first), 2)
        if first and last
        else None,
        "RSS after 1 min (MB)": {k: round(v, 1) for k, v in rss_first.items()},
        "RSS at end (MB)": {k: round(v, 1) for k, v in rss_last.items()},
        "RSS growth (%)": growth,
        "RSS floor growth, 2nd minute -> last minute (%)": floor_growth,
        "RSS samples (MB, every 10 s)": {
            name: [round(x["rss"].get(name, 0)) for x in samples] for name in rss_first
        },
        "DB connections first minute max": max(first_db, default=None),
        "DB connections overall max / at end": (
            max(db, default=None),
            db[-1] if db else None,
        ),
        "sessions created": len(state.sessions),
        "status changes expected / delivered": (expected, delivered),
        "subscription reconnects": sum(s.reconnects for s in subs),
    }
    if outage:
        out["requests during the outage"] = len(during)
        out["outcomes during the outage"] = sorted({r.outcome for r in during})
        out["slowest request during the outage (s)"] = round(
            max((r.seconds for r in during), default=0), 2
        )
    return out
