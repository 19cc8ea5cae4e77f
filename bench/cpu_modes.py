"""CPU per request in each execution mode: ``.venv/bin/python -m bench.cpu_modes``.

The steadier companion of ``bench.modes`` on a shared machine: both modes'
applications run in this one process against bench/run.py's data set (the
embedded PostgreSQL, or BENCH_DATABASE_URL), requests go through
``httpx.ASGITransport`` one at a time, and each request's cost is the process
CPU time it took (``time.process_time``: the server's Python, not
PostgreSQL's, which is the same in both modes). The modes alternate in rounds
(A B A B ...) so drift falls on both alike; every answer is compared with the
first mode's, byte for byte, so a mode that answers differently fails the run.
Prints each scenario's median CPU per request and the ratio to the first mode.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from app import create_app
from bench import scenarios
from bench.run import JWT_SECRET, database, prepare
from db.engine import create_engine, create_sessionmaker
from db.enums import Role
from db.runtime import migrate
from resolvers.ids import encode_id
from schema import build_schema
from services.tokens import create_access_token
from settings import DEV_PHI_KEY, Settings

MODES = {"fast": True, "plain": False}


def bodies(targets: dict[str, Any]) -> dict[str, bytes]:
    sid = encode_id("TherapySession", targets["session_id"])
    return {
        "a": orjson.dumps({"query": scenarios.NESTED}),
        "b": orjson.dumps({"query": scenarios.DETAIL, "variables": {"id": sid}}),
    }


async def measure(url: str, rounds: int, per_round: int, only: list[str]) -> int:
    targets = await prepare(url)
    settings = Settings(
        environment="development",
        jwt_secret_key=JWT_SECRET,
        phi_encryption_key=DEV_PHI_KEY,
        database_url=url,
        log_level="WARNING",
    )
    token = create_access_token(settings, targets["therapist_id"], Role.THERAPIST)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    engine = create_engine(settings, url)
    factory = create_sessionmaker(engine)
    clients: dict[str, httpx.AsyncClient] = {}
    for name, fast in MODES.items():
        app = create_app(
            settings,
            session_factory=factory,
            schema=build_schema(production=False, fast_execution=fast),
        )
        clients[name] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        )
    wanted = {k: v for k, v in bodies(targets).items() if not only or k in only}
    cpu: dict[tuple[str, str], list[float]] = {}
    answers: dict[str, bytes] = {}

    async def one(client: httpx.AsyncClient, body: bytes) -> tuple[float, bytes]:
        clock: Callable[[], float] = time.process_time
        start = clock()
        response = await client.post("/graphql", content=body, headers=headers)
        spent = clock() - start
        if response.status_code != 200 or b'"errors"' in response.content:
            raise SystemExit(
                f"bad answer: {response.status_code} {response.text[:300]}"
            )
        return spent, response.content

    try:
        for body in wanted.values():
            for client in clients.values():  # warm up: plans, caches, pools
                for _ in range(3):
                    await one(client, body)
        for _ in range(rounds):
            for key, body in wanted.items():
                for name, client in clients.items():
                    for _ in range(per_round):
                        spent, content = await one(client, body)
                        cpu.setdefault((key, name), []).append(spent)
                        first = answers.setdefault(key, content)
                        if content != first:
                            raise SystemExit(f"{name} answers ({key}) differently")
    finally:
        for client in clients.values():
            await client.aclose()
        await engine.dispose()
    base_name = next(iter(MODES))
    print(f"{rounds} rounds of {per_round} requests per mode and scenario")
    print("scenario  mode   median CPU ms  ratio to " + base_name)
    for key in wanted:
        base = statistics.median(cpu[(key, base_name)])
        for name in MODES:
            med = statistics.median(cpu[(key, name)])
            print(f"({key})       {name:<6} {med * 1000:10.1f}  {med / base:10.2f}x")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.cpu_modes")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated: a,b")
    args = parser.parse_args()
    only = [s for s in args.only.split(",") if s]
    url, embedded = database()
    try:
        migrate(url)
        return asyncio.run(measure(url, args.rounds, args.per_round, only))
    finally:
        if embedded is not None:
            embedded.cleanup()


if __name__ == "__main__":
    sys.exit(main())
