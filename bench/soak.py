"""A soak: a fixed-rate mixed workload against ``serve --workers 2`` with a
separate ``worker`` process, on the embedded PostgreSQL, for ``--minutes``.

Reads, writes, logins, uploads and transcript extractions (through the fake
OpenAI server, tests/fake_openai.py), deliberately bad requests, and 200 open
graphql-transport-ws subscriptions (two therapists, ten connections of ten
subscriptions each). A subscription whose connection drops reconnects with
its last cursor (``sessionStatusChanged(after:)``).

Measured: errors outside the deliberately bad requests; p99 per minute (the
last against the first); the RSS of every server process after the first
minute and at the end; PostgreSQL connections (pg_stat_activity); whether
every subscription received every status change of its therapist's sessions.

``--restart-after S --down-seconds D`` stops PostgreSQL S seconds in, starts
it again D seconds later, and reports the recovery (the database-restart
benchmark). Not a test: run it by hand (README, "Benchmarks").

    .venv/bin/python bench/soak.py --minutes 10
    .venv/bin/python bench/soak.py --minutes 1.5 --restart-after 30 --down-seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JWT_SECRET_KEY", "soak-secret-key-with-at-least-32-characters")

import httpx  # noqa: E402

from bench.soak_clients import SubscriptionClient  # noqa: E402
from bench.soak_report import final_statuses, sample, summarise  # noqa: E402
from db.embedded import socket_dir_of, start_cluster, stop_cluster  # noqa: E402
from tests.e2e.pipeline_helpers import MP3, UPLOAD  # noqa: E402
from tests.e2e.server import ServerProcess  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402

READ = """query { patients(first: 10) { edges { node { id name
  sessions(first: 5) { edges { node { id status } } } } } } }"""
SESSION = "query($id: ID!) { session(id: $id) { id status notes { version } } }"
WRITE = "mutation($id: ID!, $p: String!) { updatePatient(id: $id, input: {phone: $p}) { id } }"
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
TRANSCRIPT = """mutation($p: ID!, $t: String!) {
  createSessionFromTranscript(patientId: $p, transcript: $t) { id } }"""
BAD = 'mutation { updatePatient(id: "not-an-id", input: {phone: "1"}) { id } }'
UPLOAD_ORDER = [
    "UPLOADING",
    "TRANSCRIBING",
    "TRANSCRIBED",
    "EXTRACTING_NOTES",
    "PROCESSED",
]
TRANSCRIPT_ORDER = ["TRANSCRIBED", "EXTRACTING_NOTES", "PROCESSED"]
# requests per second of each kind
RATES = {
    "read": 6.0,
    "session": 2.0,
    "write": 1.0,
    "login": 0.3,
    "upload": 0.17,
    "extract": 0.17,
    "bad": 0.2,
}


@dataclass
class Therapist:
    email: str
    password: str
    token: str
    patient_ids: list[str]


@dataclass
class Record:
    at: float
    kind: str
    seconds: float
    outcome: str


@dataclass
class State:
    started: float = field(default_factory=time.monotonic)
    records: list[Record] = field(default_factory=list)
    sessions: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    in_flight: int = 0
    outage: tuple[float, float] | None = None


async def make_therapists(url: str, count: int) -> list[Therapist]:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from db.engine import create_sessionmaker
    from resolvers.ids import encode_id
    from settings import Settings
    from tests.factories import DEFAULT_PASSWORD, create_patient, create_user, token_for

    settings = Settings(environment="development", database_url=url)
    engine = create_async_engine(url, poolclass=NullPool)
    out = []
    try:
        async with create_sessionmaker(engine)() as db:
            for _ in range(count):
                user = await create_user(db)
                patients = [await create_patient(db, user) for _ in range(3)]
                out.append(
                    Therapist(
                        user.email,
                        DEFAULT_PASSWORD,
                        token_for(settings, user),
                        [encode_id("Patient", p.id) for p in patients],
                    )
                )
            await db.commit()
    finally:
        await engine.dispose()
    return out


async def request(
    client: httpx.AsyncClient, state: State, kind: str, therapist: Therapist, url: str
) -> None:
    """One request of ``kind``; its latency and outcome are recorded."""
    headers = {"authorization": f"Bearer {therapist.token}"}
    patient = random.choice(therapist.patient_ids)
    started = time.monotonic()
    outcome = "ok"
    state.in_flight += 1
    try:
        if kind == "upload":
            ops = {"query": UPLOAD, "variables": {"patientId": patient, "audio": None}}
            r = await client.post(
                f"{url}/graphql",
                data={
                    "operations": json.dumps(ops),
                    "map": '{"0": ["variables.audio"]}',
                },
                files={"0": ("s.mp3", MP3, "application/octet-stream")},
                headers={**headers, "apollo-require-preflight": "true"},
            )
        else:
            if kind == "session" and _any_session(state, therapist) is None:
                kind = "read"  # nothing created yet to read
            doc, variables = {
                "read": (READ, {}),
                "session": (SESSION, {"id": _any_session(state, therapist)}),
                "write": (
                    WRITE,
                    {"id": patient, "p": f"+1 555 {random.randint(0, 9999):04}"},
                ),
                "login": (LOGIN, {"e": therapist.email, "p": therapist.password}),
                "extract": (
                    TRANSCRIPT,
                    {"p": patient, "t": "We talked about sleep. " * 20},
                ),
                "bad": (BAD, {}),
            }[kind]
            r = await client.post(
                f"{url}/graphql",
                json={"query": doc, "variables": variables},
                headers={} if kind == "login" else headers,
            )
        body = r.json()
        errors = body.get("errors") or []
        if errors:
            outcome = str(errors[0].get("extensions", {}).get("code", "?"))
        elif r.status_code != 200:
            outcome = f"HTTP {r.status_code}"
        elif kind in ("upload", "extract"):
            key = (
                "uploadSessionAudio"
                if kind == "upload"
                else "createSessionFromTranscript"
            )
            order = UPLOAD_ORDER if kind == "upload" else TRANSCRIPT_ORDER
            index = next(i for i, t in enumerate(THERAPISTS) if t is therapist)
            state.sessions[body["data"][key]["id"]] = (index, order)
    except (httpx.HTTPError, ValueError) as exc:
        outcome = type(exc).__name__
    finally:
        state.in_flight -= 1
    state.records.append(
        Record(started - state.started, kind, time.monotonic() - started, outcome)
    )


THERAPISTS: list[Therapist] = []


def _any_session(state: State, therapist: Therapist) -> str | None:
    index = THERAPISTS.index(therapist)
    mine = [s for s, (i, _) in state.sessions.items() if i == index]
    return random.choice(mine) if mine else None


async def drive(state: State, url: str, seconds: float) -> None:
    """Open-loop: requests start on schedule whatever the answers' speed."""
    due = dict.fromkeys(RATES, 0.0)
    tasks: set[asyncio.Task[None]] = set()
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        while time.monotonic() - state.started < seconds:
            for kind, rate in RATES.items():
                due[kind] += rate * 0.1
                while due[kind] >= 1:
                    due[kind] -= 1
                    therapist = random.choice(THERAPISTS)
                    task = asyncio.create_task(
                        request(client, state, kind, therapist, url)
                    )
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            await asyncio.sleep(0.1)
        if tasks:
            await asyncio.wait(tasks, timeout=60)


async def restart_database(
    state: State,
    pgdata: Path,
    after: float,
    down: float,
    url: str,
    report: dict[str, Any],
) -> None:
    await asyncio.sleep(after)
    stopped = time.monotonic()
    socket_dir = await asyncio.to_thread(stop_cluster, pgdata)
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.sleep(min(1.0, down / 2))
        health = await client.get(f"{url}/health")
        report["health while down"] = f"{health.status_code} {health.text}"
        await asyncio.sleep(max(0.0, down - (time.monotonic() - stopped)))
        await asyncio.to_thread(start_cluster, pgdata, socket_dir)
        started = time.monotonic()
        report["down seconds"] = round(started - stopped, 1)
        while True:  # polling the endpoint is the measurement
            if (await client.get(f"{url}/health")).status_code == 200:
                break
            await asyncio.sleep(0.05)
        report["healthy after start (s)"] = round(time.monotonic() - started, 2)
    # from a moment before the stop: requests already running then end in it
    state.outage = (stopped - 1.0 - state.started, time.monotonic() - state.started)
    # the first request of any kind that succeeded after the start
    while True:
        ok = [
            r
            for r in state.records
            if r.outcome == "ok" and r.at > started - state.started
        ]
        if ok:
            report["first ok request after start (s)"] = round(
                min(r.at + r.seconds for r in ok) - (started - state.started), 2
            )
            return
        await asyncio.sleep(0.1)


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.minutes * 60
    data = Path(tempfile.mkdtemp(prefix="tb-soak-"))
    fake = FakeOpenAI().start()
    env = {
        "DATABASE_URL": "",
        "DATA_DIR": str(data),
        "ENVIRONMENT": "development",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_API_KEY": "soak-key",
        "LOGIN_RATE_LIMIT_PER_MINUTE": "10000",
        "WORKER_HEARTBEAT_SECONDS": "2",
        "WORKER_STALLED_SECONDS": "10",
        "JOB_RETRY_BASE_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    server = ServerProcess("serve", "--workers", "2", "--no-worker", env=env).start()
    worker: ServerProcess | None = None
    report: dict[str, Any] = {"minutes": args.minutes}
    try:
        server.wait_healthy(180)
        worker = ServerProcess("worker", env=env, log_path=data / "worker.log").start()
        pgdata = data / "pg"
        socket_dir = socket_dir_of(pgdata)
        assert socket_dir is not None
        url = f"postgresql+asyncpg://postgres@/therapybridge?host={socket_dir}"
        libpq = f"postgresql://postgres@/therapybridge?host={socket_dir}"
        THERAPISTS.extend(await make_therapists(url, 2))
        ws_url = server.url.replace("http://", "ws://") + "/graphql"
        subs = [
            SubscriptionClient(ws_url, t.token, index, per_connection=10)
            for index, t in enumerate(THERAPISTS)
            for _ in range(10)
        ]
        await asyncio.gather(*(s.start() for s in subs))
        await asyncio.sleep(2)
        state = State()
        samples: list[dict[str, Any]] = []
        sampler = asyncio.create_task(sample(state, server, worker, libpq, samples))
        restart = None
        if args.restart_after is not None:
            restart = asyncio.create_task(
                restart_database(
                    state,
                    pgdata,
                    args.restart_after,
                    args.down_seconds,
                    server.url,
                    report,
                )
            )
        await drive(state, server.url, seconds)
        if restart is not None:
            await asyncio.wait_for(restart, 120)
        # let the last sessions finish and their events arrive
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if all(s.complete(state.sessions) for s in subs):
                break
            await asyncio.sleep(1)
        sampler.cancel()
        report.update(summarise(state, subs, samples, list(RATES)))
        if args.dump:
            dump = {
                sid: {
                    "order": order,
                    "got": [
                        s.received[op].get(sid, [])
                        for s in subs
                        if s.index == i
                        for op in s.ops[:1]
                    ],
                }
                for sid, (i, order) in state.sessions.items()
            }
            dump["_final"] = await asyncio.to_thread(final_statuses, libpq)
            await asyncio.to_thread(Path(args.dump).write_text, json.dumps(dump))
        for s in subs:
            await s.stop()
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
        fake.stop()
        if socket_dir_of(data / "pg") is not None:
            with contextlib.suppress(Exception):
                stop_cluster(data / "pg")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--restart-after", type=float, default=None)
    parser.add_argument("--down-seconds", type=float, default=10.0)
    parser.add_argument(
        "--dump", default=None, help="write what each session's subscribers got"
    )
    args = parser.parse_args()
    report = asyncio.run(soak(args))
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
