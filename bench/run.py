"""The benchmark: ``python3 bootstrap.py bench`` (or ``.venv/bin/python -m bench.run``).

Builds the data set in a PostgreSQL of its own (embedded under bench/.data unless
BENCH_DATABASE_URL is set), starts the real server (`serve`, 1 and 2 workers) and
the bare-Starlette baselines on the same uvicorn, drives them with `wrk` from
outside the process, and writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import dataset, scenarios  # noqa: E402
from bench.results import write_section  # noqa: E402
from db.engine import to_libpq_url  # noqa: E402
from db.runtime import migrate  # noqa: E402
from services.tokens import create_access_token  # noqa: E402
from settings import Settings  # noqa: E402
from tests.e2e.server import ServerProcess, free_port  # noqa: E402

JWT_SECRET = "bench-secret-key-with-at-least-32-characters!!"


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("bench needs `wrk` (Debian/Ubuntu: apt-get install wrk)")


def _found(pattern: str, text: str) -> re.Match[str]:
    """The match, or a clear error when wrk's output is not what we parse."""
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"no {pattern!r} in wrk's output: {text!r}")
    return match


def _ms(value: str) -> float:
    number, unit = _found(r"^([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    url: str, seconds: int, connections: int, script: Path, env: dict[str, str]
) -> WrkResult:
    out = subprocess.run(
        [
            ensure_wrk(),
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    ).stdout
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)", out, re.M))
    rps = float(_found(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(_found(r"(\d+) requests in", out).group(1))
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        rps=rps,
        p50_ms=_ms(pct["50"]),
        p99_ms=_ms(pct["99"]),
        requests=total,
        errors=int(errs.group(1)) if errs else 0,
    )


def tree_rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    total: int = sum(p.memory_info().rss for p in procs if p.is_running())
    return total / 2**20


def database() -> tuple[str, Any]:
    external = os.environ.get("BENCH_DATABASE_URL")
    if external:
        return external, None
    from db.embedded import embedded_url, start_embedded

    server = start_embedded(ROOT / "bench" / ".data")
    server.psql("SELECT 1;")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'tb_bench';")
    if "(1 row)" not in exists:
        server.psql('CREATE DATABASE "tb_bench";')
    return embedded_url(server, "tb_bench"), server


async def prepare(url: str) -> dict[str, Any]:
    from passlib.hash import argon2

    conn = await asyncpg.connect(to_libpq_url(url))
    try:
        if not await dataset.exists(conn):
            if await dataset.outdated(conn):
                print("an earlier version of the data set is here: rebuilding it")
                await dataset.clear(conn)
            started = time.perf_counter()
            await dataset.build(conn, argon2.hash(dataset.BENCH_PASSWORD))
            print(f"data set built in {time.perf_counter() - started:.0f}s")
        return await scenarios.pick_targets(conn)
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    args = parser.parse_args()

    url, embedded = database()
    migrate(url)
    targets = asyncio.run(prepare(url))
    settings = Settings(
        environment="production",
        jwt_secret_key=JWT_SECRET,
        phi_encryption_key=os.environ.get("PHI_ENCRYPTION_KEY", "") or _dev_key(),
        database_url=url,
    )
    token = create_access_token(settings, targets["therapist_id"], _role())
    writer_token = create_access_token(settings, targets["writer_id"], _role())
    env = {
        "DATABASE_URL": url,
        "JWT_SECRET_KEY": JWT_SECRET,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
        "BENCH_THERAPIST_ID": str(targets["therapist_id"]),
    }
    selected = [
        s
        for s in scenarios.http_scenarios(targets)
        if not args.only or s.key in args.only.split(",")
    ]
    ensure_wrk()  # the header names its version
    report: list[str] = [scenarios.machine_header()]
    tmp = Path(tempfile.mkdtemp(prefix="tb-bench-"))
    statements = asyncio.run(scenarios.count_statements(url, token, selected, env))

    for workers in [int(w) for w in args.workers.split(",")]:
        server = ServerProcess(
            "serve", "--no-worker", "--workers", str(workers), env=env
        )
        base_port = free_port()
        baseline = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("uvicorn")),
                "bench.baseline:app",
                "--port",
                str(base_port),
                "--workers",
                str(workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        with server:
            server.wait_healthy(120)
            _wait(f"http://127.0.0.1:{base_port}/floor")
            rows = []
            for sc in selected:
                body = tmp / f"{sc.key}.json"
                body.write_bytes(sc.body)
                script = ROOT / "bench" / sc.script
                wenv = {
                    "TOKEN": writer_token if sc.key == "d" else token,
                    "BODY_FILE": str(body),
                }
                gurl = f"{server.url}/graphql"
                # warm up parser caches, pools and the OS page cache
                run_wrk(gurl, 2, 4, script, wenv)
                latency = run_wrk(gurl, args.seconds, 1, script, wenv)
                tput = run_wrk(gurl, args.seconds, args.connections, script, wenv)
                assert server.proc is not None  # started by `with server`
                rows.append((sc, (latency, tput), tree_rss_mb(server.proc.pid)))
            floors = {}
            for route in ("floor", "ideal"):
                empty = tmp / "empty.json"
                empty.write_text("{}")
                run_wrk(
                    f"http://127.0.0.1:{base_port}/{route}",
                    2,
                    4,
                    ROOT / "bench" / "wrk_get.lua",
                    {"BODY_FILE": str(empty)},
                )
                burl = f"http://127.0.0.1:{base_port}/{route}"
                get = ROOT / "bench" / "wrk_get.lua"
                floors[route] = (
                    run_wrk(burl, args.seconds, 1, get, {"BODY_FILE": str(empty)}),
                    run_wrk(
                        burl,
                        args.seconds,
                        args.connections,
                        get,
                        {"BODY_FILE": str(empty)},
                    ),
                )
        baseline.terminate()
        baseline.wait(30)
        report.append(
            scenarios.render_http(
                workers, rows, floors, statements, args.seconds, args.connections
            )
        )

    if "e" in (args.only or "e"):
        report.append(asyncio.run(scenarios.fanout(url, env, token, targets)))
    if "f" in (args.only or "f"):
        report.append(scenarios.upload_rss(url, env, token, targets))
    write_results("\n".join(report))
    if embedded is not None:
        embedded.cleanup()
    return 0


def _dev_key() -> str:
    from settings import DEV_PHI_KEY

    return DEV_PHI_KEY


def _role() -> Any:
    from db.enums import Role

    return Role.THERAPIST


def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def write_results(section: str) -> None:
    write_section("server-bench", section)
    print(section)


if __name__ == "__main__":
    sys.exit(main())
