"""Scenario (e): 1,000 open subscriptions on one server process, 100 status
changes made by a worker-like process, delivery latency from commit to client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select, text

from db.engine import create_engine, create_sessionmaker
from db.enums import SessionStatus
from db.models import TherapySession
from db.queries.pipeline import lock_session
from resolvers.ids import encode_id
from services.status import transition
from settings import Settings
from tests.e2e.server import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
CHANGES = 100
# changes made first and not measured: the first deliveries prepare statements
# and fill caches, as the HTTP scenarios' warm-up runs do
WARMUP = 5


async def run(
    url: str,
    env: dict[str, str],
    token: str,
    targets: dict[str, Any],
    connections: int = 100,
    per_connection: int = 10,
) -> str:
    settings = Settings(
        environment="development",
        database_url=url,
        jwt_secret_key=env["JWT_SECRET_KEY"],
    )
    engine = create_engine(settings, url)
    factory = create_sessionmaker(engine)
    async with factory() as db:
        ids = list(
            (
                await db.execute(
                    select(TherapySession.id)
                    .where(
                        TherapySession.therapist_id == targets["therapist_id"],
                        TherapySession.status == SessionStatus.SCHEDULED,
                    )
                    .order_by(TherapySession.id)
                    .limit(CHANGES + WARMUP)
                )
            ).scalars()
        )
    total = connections * per_connection
    with ServerProcess("serve", "--no-worker", env=env) as server:
        server.wait_healthy(120)
        client = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "fanout_client.py"),
            env={
                **os.environ,
                "WS_URL": server.url.replace("http", "ws") + "/graphql",
                "TOKEN": token,
                "CONNECTIONS": str(connections),
                "PER_CONNECTION": str(per_connection),
                "EXPECTED": str(len(ids) * total),
            },
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            limit=2**20,
        )
        assert client.stdout is not None
        assert (await client.stdout.readline()).strip() == b"ready"
        rss_before = _rss(server)
        committed: dict[str, float] = {}
        for n, sid in enumerate(ids):
            if n == WARMUP:
                committed.clear()
                await asyncio.sleep(1)
            async with factory() as db:
                row = await lock_session(db, sid)
                assert row is not None
                await transition(db, row, SessionStatus.UPLOADING)
                await db.commit()
                committed[encode_id("TherapySession", sid)] = time.time()
            await asyncio.sleep(0.02)  # a realistic trickle, not one burst
        # the client reports every arrival once the burst is over
        latencies: list[float] = []
        arrivals: list[tuple[str, float]] = []
        expected = (len(ids) - WARMUP) * total
        while True:
            try:
                line = await asyncio.wait_for(client.stdout.readline(), 180)
            except TimeoutError:
                break
            if not line or line.strip() == b"end":
                break
            sid_g, at = line.decode().split()
            if sid_g in committed:
                latencies.append((float(at) - committed[sid_g]) * 1000)
                arrivals.append((sid_g, float(at)))
        rss_after = _rss(server)
        if os.environ.get("BENCH_FANOUT_DUMP"):
            # raw arrivals and commit times, for looking at one run closely
            dump = orjson.dumps({"committed": committed, "arrivals": arrivals})
            await asyncio.to_thread(
                Path(os.environ["BENCH_FANOUT_DUMP"]).write_bytes, dump
            )
        if client.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                client.kill()
        await client.wait()
    async with factory() as db:
        # put the sessions back so the next run finds them SCHEDULED again
        await db.execute(
            text(
                "UPDATE therapy_sessions SET status = 'SCHEDULED' WHERE id = ANY(:ids)"
            ),
            {"ids": ids},
        )
        await db.commit()
    await engine.dispose()
    latencies.sort()
    if not latencies:
        return "\n### (e) subscription fan-out\n\nNo event was delivered."
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return (
        "\n### (e) subscription fan-out\n\n"
        f"{total} subscriptions ({connections} WebSockets x {per_connection}) on one "
        f"`serve` process, all of one therapist; {len(ids) - WARMUP} status changes "
        f"committed by another process, after {WARMUP} unmeasured ones.\nDelivered {len(latencies)} of {expected} events; "
        f"commit-to-client latency p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"(target p99 <= 100 ms); server RSS {rss_before:.0f} -> {rss_after:.0f} MB."
    )


def _rss(server: ServerProcess) -> float:
    import psutil

    assert server.proc is not None
    proc = psutil.Process(server.proc.pid)
    total: int = sum(p.memory_info().rss for p in [proc, *proc.children(True)])
    return total / 2**20
