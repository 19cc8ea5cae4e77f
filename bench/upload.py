"""Scenario (f): a 200 MB upload; the server's peak RSS growth while it lands,
once per storage backend: the local directory and an S3 bucket (moto's S3
server, in this process, so its memory is not the server's). Both encrypt on
the way (services/storage.py).

Alone: ``.venv/bin/python -m bench.upload`` (a fresh embedded PostgreSQL, one
therapist and patient); ``bench/run.py`` runs it as the last scenario."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil

from resolvers.ids import encode_id
from tests.e2e.server import ServerProcess

SIZE_MB = 200
MUTATION = (
    "mutation($p: ID!, $f: Upload!) { uploadSessionAudio(patientId: $p, audio: $f) "
    "{ id status } }"
)


def _wav(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.write(b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVEfmt ")
        chunk = bytes(1024 * 1024)
        left = size - 16
        while left > 0:
            f.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def _tree_rss(pid: int) -> int:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(True)])


def run(url: str, env: dict[str, str], token: str, targets: dict[str, Any]) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="tb-upload-"))
    audio = tmp / "big.wav"
    _wav(audio, SIZE_MB * 1024 * 1024)
    lines = ["\n### (f) 200 MB upload\n"]
    try:
        lines.append(
            _measure(
                "local", audio, {**env, "STORAGE_DIR": str(tmp / "s")}, token, targets
            )
        )
        from tests.s3 import MotoS3

        moto = MotoS3().start()
        try:
            s3_env = {**env, **moto.env(moto.new_bucket())}
            lines.append(_measure("s3", audio, s3_env, token, targets))
        finally:
            moto.stop()
    finally:
        for p in tmp.rglob("*"):
            if p.is_file():
                p.unlink()
    return "\n".join(lines)


def _measure(
    backend: str,
    audio: Path,
    env: dict[str, str],
    token: str,
    targets: dict[str, Any],
) -> str:
    server_env = {**env, "MAX_UPLOAD_MB": str(SIZE_MB + 50)}
    with ServerProcess("serve", "--no-worker", env=server_env) as server:
        server.wait_healthy(120)
        assert server.proc is not None
        pid = server.proc.pid
        baseline = _tree_rss(pid)
        peak = [baseline]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        operations = orjson.dumps(
            {
                "query": MUTATION,
                "variables": {
                    "p": encode_id("Patient", targets["patient_id"]),
                    "f": None,
                },
            }
        )
        with audio.open("rb") as f:
            response = httpx.post(
                f"{server.url}/graphql",
                data={
                    "operations": operations.decode(),
                    "map": '{"0": ["variables.f"]}',
                },
                files={"0": ("big.wav", f, "audio/wav")},
                headers={
                    "authorization": f"Bearer {token}",
                    "apollo-require-preflight": "true",
                },
                timeout=600,
            )
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    body = response.json()
    ok = "errors" not in body
    growth = (peak[0] - baseline) / 2**20
    return (
        f"- `{backend}`: one {SIZE_MB} MB WAV through `uploadSessionAudio` "
        "(multipart, streamed, encrypted): "
        f"{'accepted' if ok else 'REFUSED: ' + str(body.get('errors'))} in "
        f"{elapsed:.1f}s; server RSS {baseline / 2**20:.0f} MB before, peak growth "
        f"{growth:.1f} MB (target <= 64 MB)."
    )


def main() -> None:
    import asyncio

    from bench.run import JWT_SECRET
    from db.runtime import migrate
    from services.tokens import create_access_token
    from settings import Settings
    from tests.pg import PgServer

    pg = PgServer()
    try:
        url = pg.create_database("tb_upload")
        migrate(url)
        targets, user = asyncio.run(_account(url))
        settings = Settings(environment="test", jwt_secret_key=JWT_SECRET)
        token = create_access_token(settings, user.id, user.role)
        env = {
            "DATABASE_URL": url,
            "JWT_SECRET_KEY": JWT_SECRET,
            "ENVIRONMENT": "development",
            "LOG_LEVEL": "WARNING",
        }
        print(run(url, env, token, targets))
    finally:
        pg.close()


async def _account(url: str) -> tuple[dict[str, Any], Any]:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from db.engine import create_sessionmaker
    from tests.factories import create_patient, create_user

    engine = create_async_engine(url, poolclass=NullPool)
    async with create_sessionmaker(engine)() as db:
        user = await create_user(db)
        patient = await create_patient(db, user)
        await db.commit()
    await engine.dispose()
    return {"patient_id": patient.id}, user


if __name__ == "__main__":
    main()
