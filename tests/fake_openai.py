"""A local OpenAI-compatible HTTP server: the ONE fake of the test suite.

The real ``openai`` client reaches it through OPENAI_BASE_URL. Its behaviour
is scripted through ``POST /admin/script``: a delay per endpoint, status codes
to fail with next (429, 500, ...), and invalid JSON answers to give next.
``GET /admin/calls`` lists what it was asked (endpoint and short facts).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.e2e.server import free_port

NOTES = {
    "key_topics": ["work stress", "sleep"],
    "topic_summary": "Discussed stress at work and its effect on sleep.",
    "strategies": [
        {
            "name": "Box breathing",
            "category": "breathing",
            "description": "Four counts in, hold, out, hold.",
            "context": "Before meetings",
        }
    ],
    "action_items": [
        {"task": "Keep a sleep diary", "category": "homework", "details": None}
    ],
    "session_mood": "NEUTRAL",
    "mood_trajectory": "IMPROVING",
    "therapist_notes": "Engaged; consider CBT-I next session.",
    "patient_summary": "We talked about work stress and sleep.",
    "risk_flags": [],
}


class Script:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.delay: dict[str, float] = {}
        self.fail: dict[str, list[int]] = {}
        self.invalid_json = 0
        self.calls: list[dict[str, Any]] = []


def build_app(script: Script) -> Starlette:
    async def _pre(kind: str) -> JSONResponse | None:
        await asyncio.sleep(script.delay.get(kind, 0))
        failures = script.fail.get(kind) or []
        if failures:
            code = failures.pop(0)
            return JSONResponse(
                {"error": {"message": f"scripted {code}", "type": "server_error"}},
                status_code=code,
            )
        return None

    async def transcriptions(request: Request) -> JSONResponse:
        form = await request.form()
        upload: Any = form["file"]
        received = await upload.read()
        size = len(received)
        script.calls.append(
            {
                "endpoint": "transcriptions",
                "model": form.get("model"),
                "format": form.get("response_format"),
                "bytes": size,
                "sha256": hashlib.sha256(received).hexdigest(),
            }
        )
        failed = await _pre("transcriptions")
        if failed:
            return failed
        return JSONResponse(
            {
                "task": "transcribe",
                "language": "english",
                "duration": 12.5,
                "text": "I have been stressed at work. I sleep badly.",
                "segments": [
                    {
                        "id": 0,
                        "start": 0.0,
                        "end": 6.0,
                        "text": " I have been stressed at work.",
                    },
                    {"id": 1, "start": 6.0, "end": 12.5, "text": " I sleep badly."},
                ],
            }
        )

    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        script.calls.append(
            {
                "endpoint": "chat",
                "model": body.get("model"),
                "temperature": body.get("temperature"),
                "response_format": body.get("response_format", {}).get("type"),
                "messages": len(body.get("messages", [])),
                "last_message": body["messages"][-1]["content"],
            }
        )
        failed = await _pre("chat")
        if failed:
            return failed
        content = json.dumps(NOTES)
        if script.invalid_json > 0:
            script.invalid_json -= 1
            content = '{"key_topics": "not a list"'
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {
                    "prompt_tokens": 1000,
                    "completion_tokens": 200,
                    "total_tokens": 1200,
                },
            }
        )

    async def set_script(request: Request) -> JSONResponse:
        body = await request.json()
        script.reset()
        script.delay = body.get("delay", {})
        script.fail = {k: list(v) for k, v in body.get("fail", {}).items()}
        script.invalid_json = int(body.get("invalid_json", 0))
        return JSONResponse({"ok": True})

    async def calls(request: Request) -> JSONResponse:
        return JSONResponse(script.calls)

    return Starlette(
        routes=[
            Route("/v1/audio/transcriptions", transcriptions, methods=["POST"]),
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/admin/script", set_script, methods=["POST"]),
            Route("/admin/calls", calls, methods=["GET"]),
        ]
    )


class FakeOpenAI:
    """The fake server on a free port, in a thread of the test process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.script = Script()
        config = uvicorn.Config(
            build_app(self.script),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake OpenAI server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def configure(self, **script: Any) -> None:
        httpx.post(f"http://127.0.0.1:{self.port}/admin/script", json=script)

    def calls(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = httpx.get(
            f"http://127.0.0.1:{self.port}/admin/calls"
        ).json()
        return result
