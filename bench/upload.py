"""Scenario (f): a 200 MB upload; the server's peak RSS growth while it lands."""

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
    server_env = {
        **env,
        "MAX_UPLOAD_MB": str(SIZE_MB + 50),
        "STORAGE_DIR": str(tmp / "s"),
    }
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
    for p in tmp.rglob("*"):
        if p.is_file():
            p.unlink()
    return (
        "\n### (f) 200 MB upload\n\n"
        f"One {SIZE_MB} MB WAV through `uploadSessionAudio` (multipart, streamed): "
        f"{'accepted' if ok else 'REFUSED: ' + str(body.get('errors'))} in "
        f"{elapsed:.1f}s; server RSS {baseline / 2**20:.0f} MB before, peak growth "
        f"{growth:.1f} MB (target <= 64 MB)."
    )
