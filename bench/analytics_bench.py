"""Analytics speed: ``.venv/bin/python -m bench.analytics_bench [--iterations N]``.

Builds the bench data set (20 therapists, 2,000 patients, 50,000 sessions:
bench/dataset.py) in a fresh embedded PostgreSQL, then posts every analytics
field through the real application (create_app: middleware, JWT auth, the
GraphQL schema, the audit commit) over an in-process ASGI transport, many times
each, rotating therapists and patients. It measures twice: with no stored rows
(everything aggregated live) and after `aggregate` (closed days and weeks from
daily_stats / patient_progress). Writes the figures into bench/RESULTS.md
under "Analytics". Not part of CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ENVIRONMENT", "test")
JWT = "analytics-bench-secret-key-with-32-characters!"

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from app import create_app  # noqa: E402
from bench import dataset  # noqa: E402
from bench.results import write_section  # noqa: E402
from db.engine import create_engine, create_sessionmaker, to_libpq_url  # noqa: E402
from db.enums import Role  # noqa: E402
from db.queries.analytics import Frame  # noqa: E402
from db.runtime import migrate  # noqa: E402
from resolvers.ids import encode_id  # noqa: E402
from services.analytics_jobs import aggregate  # noqa: E402
from services.tokens import create_access_token  # noqa: E402
from settings import Settings  # noqa: E402
from tests.pg import PgServer  # noqa: E402

PROGRESS_FIELDS = """
  patient { id name } totalSessions attendanceRate
  recentSessions { id sessionDate attendance }
  moodTrend { current trajectory changePercent }
  commonTopics { topic frequency }
  weekly { weekStart sessionsCount avgMoodScore topics { topic frequency } }
"""
TREND_FIELDS = """
  period granularity
  dataPoints { date sessionsCompleted sessionsCancelled avgSessionDurationMin
               completionRate }
  summary { totalSessions avgPerDay peakDay completionRate }
"""
QUERIES: dict[str, str] = {
    "overview": """{ analytics { overview { totalPatients activePatients
        sessionsThisWeek sessionsThisMonth upcomingSessions completionRate } } }""",
    "patientProgress(weeks: 12)": "query($p: ID!) { analytics { patientProgress("
    "patientId: $p) {" + PROGRESS_FIELDS + "} } }",
    "patientProgress(weeks: 104)": "query($p: ID!) { analytics { patientProgress("
    "patientId: $p, weeks: 104) {" + PROGRESS_FIELDS + "} } }",
    "Patient.progress(weeks: 12)": "query($p: ID!) { patient(id: $p) { progress {"
    + PROGRESS_FIELDS
    + "} } }",
    "sessionTrends(LAST_30_DAYS, DAY)": "{ analytics { sessionTrends {"
    + TREND_FIELDS
    + "} } }",
    "sessionTrends(LAST_YEAR, DAY)": "{ analytics { sessionTrends(period: LAST_YEAR)"
    " {" + TREND_FIELDS + "} } }",
    "sessionTrends(LAST_YEAR, WEEK)": "{ analytics { sessionTrends(period: LAST_YEAR,"
    " granularity: WEEK) {" + TREND_FIELDS + "} } }",
    "commonTopics(limit: 20, weeks: 12)": "{ analytics { commonTopics { topic "
    "frequency patientsAffected trend } } }",
    "commonTopics(limit: 100, weeks: 104)": "{ analytics { commonTopics(limit: 100, "
    "weeks: 104) { topic frequency patientsAffected trend } } }",
}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(
    client: httpx.AsyncClient,
    tokens: list[str],
    patients: list[list[str]],
    iterations: int,
) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for name, query in QUERIES.items():
        times: list[float] = []
        for i in range(iterations + 5):
            t = i % len(tokens)
            variables = {"p": patients[t][i % len(patients[t])]}
            started = time.perf_counter()
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {tokens[t]}"},
            )
            elapsed = (time.perf_counter() - started) * 1000
            body = response.json()
            if body.get("errors"):
                raise RuntimeError(f"{name}: {body['errors']}")
            if i >= 5:  # warm-up
                times.append(elapsed)
        out[name] = (statistics.median(times), pct(times, 99))
        print(f"  {name:40s} median {out[name][0]:6.1f} ms  p99 {out[name][1]:6.1f} ms")
    return out


async def run(url: str, iterations: int) -> str:
    conn = await asyncpg.connect(to_libpq_url(url))
    started = time.perf_counter()
    ds = await dataset.build(conn, "not-a-login")
    await conn.close()
    print(f"data set built in {time.perf_counter() - started:.0f}s")
    settings = Settings(environment="test", database_url=url, jwt_secret_key=JWT)
    engine = create_engine(settings, url)
    factory = create_sessionmaker(engine)
    tokens = [
        create_access_token(settings, t, Role.THERAPIST) for t in ds.therapist_ids
    ]
    n = len(ds.therapist_ids)
    patients = [
        [encode_id("Patient", p) for p in ds.patient_ids[i::n]] for i in range(n)
    ]
    app = create_app(settings, session_factory=factory)
    transport = httpx.ASGITransport(app=app)
    results = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://b") as c:
        print("live (no stored rows):")
        results["live"] = await measure(c, tokens, patients, iterations)
        async with factory() as db:
            started = time.perf_counter()
            await aggregate(db, Frame(settings.scheduler_timezone, _now()))
            await db.commit()
            took = time.perf_counter() - started
        print(f"aggregate (backfill of the whole year) took {took:.1f}s")
        print("precomputed (after `therapybridge aggregate`):")
        results["stored"] = await measure(c, tokens, patients, iterations)
    await engine.dispose()
    return report(results, iterations, took)


def _now() -> datetime:
    return datetime.now(UTC)


def report(results: dict[str, Any], iterations: int, took: float) -> str:
    lines = [
        "## Analytics",
        "",
        f"`python -m bench.analytics_bench --iterations {iterations}` on "
        f"{_now():%Y-%m-%d}; machine: {os.cpu_count()} CPUs (nproc), "
        f"{cpu_model()}, shared with other work. Data set: bench/dataset.py "
        "(20 therapists, 2,000 patients, 50,000 sessions over the last year), "
        "fresh embedded PostgreSQL. Each figure is one full HTTP request through "
        "the application in process (auth, GraphQL, audit commit), therapists "
        "and patients rotating; target: median under 50 ms.",
        "",
        "| Field | live: median ms | live: p99 ms | stored: median ms "
        "| stored: p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in QUERIES:
        lm, lp = results["live"][name]
        sm, sp = results["stored"][name]
        lines.append(f"| `{name}` | {lm:.1f} | {lp:.1f} | {sm:.1f} | {sp:.1f} |")
    lines += [
        "",
        f"live: no daily_stats/patient_progress rows; stored: after the backfill "
        f"(`aggregate`, {took:.1f} s for the whole data set).",
    ]
    return "\n".join(lines)


def write_results(section: str) -> None:
    write_section("analytics-bench", section)


def main() -> int:
    parser = argparse.ArgumentParser(prog="analytics_bench")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    pg = PgServer()
    try:
        url = pg.create_database("tb_analytics_bench")
        migrate(url)  # alembic runs its own event loop: outside ours
        load_before = os.getloadavg()[0]
        section = asyncio.run(run(url, args.iterations))
        section += (
            f"\n\nLoad average (1 min) {load_before:.1f} before and "
            f"{os.getloadavg()[0]:.1f} after the measurements."
        )
    finally:
        pg.close()
    print(section)
    if not args.no_write:
        write_results(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
