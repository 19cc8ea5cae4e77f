"""Benchmark scenarios and the report they produce."""

from __future__ import annotations

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
    session = await conn.fetchval(
        "SELECT t.session_id FROM transcripts t JOIN therapy_sessions s ON "
        "s.id = t.session_id WHERE s.therapist_id = $1 LIMIT 1",
        therapist,
    )
    patient = await conn.fetchval(
        "SELECT patient_id FROM patient_therapists WHERE therapist_id = $1 LIMIT 1",
        therapist,
    )
    return {"therapist_id": therapist, "session_id": session, "patient_id": patient}


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
    """SQL statements per request, counted on the engine of an in-process app."""
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
    app = create_app(settings, session_factory=create_sessionmaker(engine))
    result: dict[str, int] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
        for sc in selected:
            body = sc.body or _body(
                "mutation($i: CreatePatientInput!) { createPatient(input: $i) { id } }",
                {
                    "i": {
                        "name": "Count Me",
                        "email": f"count-{uuid.uuid4().hex}@example.com",
                    }
                },
            )
            headers = {
                "authorization": f"Bearer {token}",
                "content-type": "application/json",
            }
            await client.post("/graphql", content=body, headers=headers)  # warm
            counted["n"] = 0
            response = await client.post("/graphql", content=body, headers=headers)
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
        f"{pg}; load from `{(wrk.stdout or wrk.stderr).splitlines()[0]}`.\n"
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
        "| scenario | req/s | p50 ms | p99 ms | SQL/request | server RSS MB | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for sc, res, rss in rows:
        lines.append(
            f"| {sc.name} | {res.rps:.0f} | {res.p50_ms:.1f} | {res.p99_ms:.1f} | "
            f"{statements.get(sc.key, '?')} | {rss:.0f} | {res.errors} |"
        )
    for name, res in (
        ("floor (one SQL, JSON built in PostgreSQL)", floor),
        ("ideal batch (3 asyncpg queries, plain Python)", ideal),
    ):
        lines.append(
            f"| baseline: {name} | {res.rps:.0f} | {res.p50_ms:.1f} | "
            f"{res.p99_ms:.1f} | {1 if 'floor' in name else 3} | | {res.errors} |"
        )
    nested = next((r for sc, r, _ in rows if sc.key == "a"), None)
    if nested is not None:
        lines += [
            "",
            f"(a) against the floor: p50 {nested.p50_ms / floor.p50_ms:.2f}x (target "
            f"<= 3x), throughput {nested.rps / floor.rps:.2f} of the floor's (target "
            ">= 0.33).",
            f"(a) against the ideal batch: p50 {nested.p50_ms / ideal.p50_ms:.2f}x, "
            f"throughput {nested.rps / ideal.rps:.2f}.",
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
