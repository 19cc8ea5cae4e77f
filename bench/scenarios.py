"""Benchmark scenarios and the report they produce."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

from resolvers.ids import encode_id

NESTED = """query Nested { patients(first: 50) { edges { node { id name
  sessions(first: 10) { edges { node { id sessionDate
    notes { keyTopics sessionMood topicSummary } } } } } } } }"""

DETAIL = """query Detail($id: ID!) { session(id: $id) { id sessionDate status attendance
  durationMinutes patient { id name } therapist { id fullName }
  transcript { text language segments { start end speaker text } }
  notes { version keyTopics topicSummary therapistNotes patientSummary sessionMood
    moodTrajectory strategies { name category description context }
    actionItems { task category details } riskFlags { type evidence severity } }
  events { status previousStatus at } } }"""

ANALYTICS_FIELDS = {
    "c1": (
        "analytics.overview",
        "query { analytics { overview { totalPatients "
        "activePatients sessionsThisWeek sessionsThisMonth upcomingSessions "
        "completionRate } } }",
    ),
    "c2": (
        "analytics.patientProgress",
        "query($p: ID!) { analytics { patientProgress("
        "patientId: $p) { totalSessions attendanceRate moodTrend { current trajectory "
        "changePercent } commonTopics { topic frequency } weekly { weekStart "
        "sessionsCount avgMoodScore } } } }",
    ),
    "c3": (
        "analytics.sessionTrends",
        "query { analytics { sessionTrends { period "
        "granularity dataPoints { date sessionsCompleted sessionsCancelled "
        "avgSessionDurationMin completionRate } summary { totalSessions avgPerDay "
        "peakDay completionRate } } } }",
    ),
    "c4": (
        "analytics.commonTopics",
        "query { analytics { commonTopics { topic "
        "frequency patientsAffected trend } } }",
    ),
}


@dataclass
class Scenario:
    key: str
    name: str
    body: bytes
    script: str = "wrk_post.lua"
    target: str = ""


def _body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({"query": query, "variables": variables or {}})


async def pick_targets(conn: asyncpg.Connection) -> dict[str, Any]:
    therapist = await conn.fetchval(
        "SELECT id FROM users WHERE email = 'bench-therapist-0@example.test'"
    )
    # createPatient (d) runs as another therapist; remove what earlier runs
    # created so (a) always lists the same 50 patients
    await conn.execute("DELETE FROM patients WHERE name LIKE 'Bench New %'")
    writer = await conn.fetchval(
        "SELECT id FROM users WHERE email = 'bench-therapist-1@example.test'"
    )
    session = await conn.fetchval(
        "SELECT t.session_id FROM transcripts t JOIN therapy_sessions s ON "
        "s.id = t.session_id WHERE s.therapist_id = $1 LIMIT 1",
        therapist,
    )
    patient = await conn.fetchval(
        "SELECT patient_id FROM patient_therapists WHERE therapist_id = $1 LIMIT 1",
        therapist,
    )
    return {
        "therapist_id": therapist,
        "writer_id": writer,
        "session_id": session,
        "patient_id": patient,
    }


def http_scenarios(targets: dict[str, Any]) -> list[Scenario]:
    sid = encode_id("TherapySession", targets["session_id"])
    pid = encode_id("Patient", targets["patient_id"])
    found = [
        Scenario("a", "(a) nested list 50x10 with notes", _body(NESTED)),
        Scenario(
            "b",
            "(b) one session, full detail with transcript",
            _body(DETAIL, {"id": sid}),
        ),
    ]
    for key, (name, query) in ANALYTICS_FIELDS.items():
        found.append(Scenario(key, f"(c) {name}", _body(query, {"p": pid})))
    found.append(Scenario("d", "(d) createPatient", b"", script="wrk_create.lua"))
    return found


async def count_statements(
    url: str, token: str, selected: list[Scenario], env: dict[str, str]
) -> dict[str, int]:
    """SQL statements per request as PostgreSQL receives them, counted on the
    engine of an in-process app: every statement SQLAlchemy executes, and
    every one asyncpg sends on its own (BEGIN, COMMIT, ROLLBACK, a ping)."""
    for k, v in env.items():
        os.environ.setdefault(k, v)
    from app import create_app
    from db.engine import create_engine, create_sessionmaker
    from settings import Settings

    settings = Settings(
        environment="development",
        database_url=url,
        jwt_secret_key=env["JWT_SECRET_KEY"],
    )
    engine = create_engine(settings, url)
    counted = {"n": 0}

    def on_execute(*args: Any) -> None:
        counted["n"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(on_execute)

    event.listen(engine.sync_engine, "connect", on_connect)
    app = create_app(settings, session_factory=create_sessionmaker(engine))
    result: dict[str, int] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
        for sc in selected:

            def body(sc: Scenario = sc) -> bytes:
                # createPatient needs a new email each time
                return sc.body or _body(
                    "mutation($i: CreatePatientInput!) { createPatient(input: $i) "
                    "{ id } }",
                    {
                        "i": {
                            "name": "Bench New count",
                            "email": f"count-{uuid.uuid4().hex}@example.com",
                        }
                    },
                )

            headers = {
                "authorization": f"Bearer {token}",
                "content-type": "application/json",
            }
            await client.post("/graphql", content=body(), headers=headers)  # warm
            await asyncio.sleep(0.05)  # asyncpg logs a query soon after it
            counted["n"] = 0
            response = await client.post("/graphql", content=body(), headers=headers)
            await asyncio.sleep(0.05)
            errors = response.json().get("errors")
            result[sc.key] = -1 if errors else counted["n"]
    await engine.dispose()
    return result


def machine_header() -> str:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = (
        "embedded (pgserver) PostgreSQL 16"
        if not os.environ.get("BENCH_DATABASE_URL")
        else "external PostgreSQL"
    )
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (
        f"## Server benchmark ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n\n"
        f"Machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; "
        f"{pg}; load from `{(wrk.stdout or wrk.stderr).splitlines()[0]}`; "
        f"load average at start {os.getloadavg()[0]:.1f}.\n"
        "Data: 20 therapists, 2,000 patients, 50,000 sessions (notes on every "
        "completed one), 2,000 transcripts of ~6,000 words.\n"
    )


def render_http(
    workers: int,
    rows: list[Any],
    floors: dict[str, Any],
    statements: dict[str, int],
    seconds: int,
    connections: int,
) -> str:
    floor, ideal = floors["floor"], floors["ideal"]
    lines = [
        f"\n### `serve --workers {workers}` — wrk, {connections} connections, "
        f"{seconds}s per scenario\n",
        "Latency from 1 connection (p50, p99); throughput (req/s) from "
        f"{connections} connections.\n",
        "| scenario | req/s | p50 ms | p99 ms | SQL/request | server RSS MB | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for sc, (lat, res), rss in rows:
        lines.append(
            f"| {sc.name} | {res.rps:.0f} | {lat.p50_ms:.1f} | {lat.p99_ms:.1f} | "
            f"{statements.get(sc.key, '?')} | {rss:.0f} | {res.errors + lat.errors} |"
        )
    for name, (lat, res) in (
        ("floor (one SQL, JSON built in PostgreSQL)", floor),
        ("ideal batch (3 asyncpg queries, plain Python)", ideal),
    ):
        lines.append(
            f"| baseline: {name} | {res.rps:.0f} | {lat.p50_ms:.1f} | "
            f"{lat.p99_ms:.1f} | {1 if 'floor' in name else 3} | | {res.errors} |"
        )
    found = [pair for sc, pair, _ in rows if sc.key == "a"]
    nested = found[0] if found else None
    if nested is not None:
        (n_lat, n_tput), (f_lat, f_tput), (i_lat, i_tput) = nested, floor, ideal
        lines += [
            "",
            f"(a) against the floor: p50 {n_lat.p50_ms / f_lat.p50_ms:.1f}x (target "
            f"<= 3x), throughput {n_tput.rps / f_tput.rps:.3f} of the floor's "
            "(target >= 0.33).",
            f"(a) against the ideal batch: p50 {n_lat.p50_ms / i_lat.p50_ms:.1f}x, "
            f"throughput {n_tput.rps / i_tput.rps:.3f}.",
        ]
    return "\n".join(lines)


async def fanout(
    url: str, env: dict[str, str], token: str, targets: dict[str, Any]
) -> str:
    """Scenario (e): subscription fan-out (bench/fanout.py)."""
    from bench.fanout import run

    return await run(url, env, token, targets)


def upload_rss(
    url: str, env: dict[str, str], token: str, targets: dict[str, Any]
) -> str:
    """Scenario (f): 200 MB upload (bench/upload.py)."""
    from bench.upload import run

    return run(url, env, token, targets)
