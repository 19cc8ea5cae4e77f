"""Execution modes side by side: ``.venv/bin/python -m bench.modes``.

The same scenario (default (a), the nested list) against the real server at
one worker, once per mode and round, the modes interleaved (A B A B ...) so
that the shared machine's drift falls on every mode alike; prints each run
and each mode's median, and the ratios to the first mode. A mode is a name
and the environment the server gets: ``fast`` (FAST_EXECUTION=true) and
``plain`` (FAST_EXECUTION=false) by default; ``--mode NAME=VAR=VALUE,...``
adds or replaces one. Uses bench/run.py's data set and database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from bench import scenarios
from bench.run import JWT_SECRET, ROOT, database, prepare, run_wrk
from db.enums import Role
from db.runtime import migrate
from services.tokens import create_access_token
from settings import DEV_PHI_KEY, Settings
from tests.e2e.server import ServerProcess

DEFAULT_MODES = {
    "fast": {"FAST_EXECUTION": "true"},
    "plain": {"FAST_EXECUTION": "false"},
}


def _parse_mode(text: str) -> tuple[str, dict[str, str]]:
    name, _, rest = text.partition("=")
    env = dict(pair.split("=", 1) for pair in rest.split(",") if pair)
    return name, env


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.modes")
    parser.add_argument("--scenario", default="a")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--mode", action="append", default=[])
    parser.add_argument("--only", default="", help="comma-separated mode names")
    args = parser.parse_args()
    modes = dict(DEFAULT_MODES)
    modes.update(_parse_mode(m) for m in args.mode)
    if args.only:
        modes = {k: modes[k] for k in args.only.split(",")}

    url, embedded = database()
    migrate(url)
    targets = asyncio.run(prepare(url))
    settings = Settings(
        environment="production",
        jwt_secret_key=JWT_SECRET,
        phi_encryption_key=DEV_PHI_KEY,
        database_url=url,
    )
    token = create_access_token(settings, targets["therapist_id"], Role.THERAPIST)
    base_env = {
        "DATABASE_URL": url,
        "JWT_SECRET_KEY": JWT_SECRET,
        "ENVIRONMENT": "development",
        "LOG_LEVEL": "WARNING",
    }
    (scenario,) = [
        s for s in scenarios.http_scenarios(targets) if s.key == args.scenario
    ]
    body = Path(tempfile.mkdtemp(prefix="tb-modes-")) / "body.json"
    body.write_bytes(scenario.body)
    script = ROOT / "bench" / scenario.script
    wenv = {"TOKEN": token, "BODY_FILE": str(body)}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in modes}
    print(
        f"{scenario.name}, 1 worker, {args.connections} connections, "
        f"{args.seconds} s per run"
    )
    for round_no in range(args.rounds):
        for name, env in modes.items():
            server = ServerProcess(
                "serve", "--no-worker", "--workers", "1", env={**base_env, **env}
            )
            with server:
                server.wait_healthy(120)
                gurl = f"{server.url}/graphql"
                run_wrk(gurl, 3, 4, script, wenv)  # warm up
                got = run_wrk(gurl, args.seconds, args.connections, script, wenv)
            if got.errors:
                print(f"  {name}: {got.errors} errors", file=sys.stderr)
            runs[name].append((got.rps, got.p50_ms))
            print(
                f"round {round_no + 1} {name:>10}: {got.rps:6.1f} req/s  "
                f"p50 {got.p50_ms:6.1f} ms",
                flush=True,
            )
    first = next(iter(modes))
    base = statistics.median(r for r, _ in runs[first])
    print(
        f"\nmode       median req/s  median p50  ratio of medians  "
        f"median of per-round ratios (to {first})"
    )
    for name, found in runs.items():
        rps = statistics.median(r for r, _ in found)
        p50 = statistics.median(p for _, p in found)
        paired = statistics.median(
            r / b for (r, _), (b, _) in zip(found, runs[first], strict=True)
        )
        print(f"{name:<10} {rps:12.1f} {p50:9.1f} ms {rps / base:17.2f} {paired:12.2f}")
    if embedded is not None:
        embedded.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
