"""ASGI guard for multipart GraphQL requests (file uploads).

Browsers send multipart/form-data cross-site without a preflight, so a
non-simple header is required (CSRF). The body is counted while it streams
and cut off past MAX_UPLOAD_MB (plus room for the other form fields): an
oversize upload never lands in full, in memory or on disk.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFLIGHT_HEADERS = (b"apollo-require-preflight", b"x-requested-with")
# the operations and map fields travel in the same body as the file
FORM_OVERHEAD = 1024 * 1024


class BodyTooLarge(Exception):
    pass


def _error(message: str, field: str) -> bytes:
    body: dict[str, Any] = {
        "data": None,
        "errors": [
            {
                "message": message,
                "extensions": {"code": "BAD_USER_INPUT", "field": field},
            }
        ],
    }
    return orjson.dumps(body)


async def _respond(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class UploadGuard:
    def __init__(self, app: ASGIApp, *, max_upload_bytes: int, max_upload_mb: int):
        self.app = app
        self.limit = max_upload_bytes + FORM_OVERHEAD
        self.max_mb = max_upload_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_multipart_post(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not any(headers.get(h) for h in PREFLIGHT_HEADERS):
            # read (and drop) the body first: closing on unread data resets
            # the connection before the client can read the answer
            await _drain(receive, self.limit)
            await _respond(
                send,
                _error(
                    "Multipart requests need an Apollo-Require-Preflight or "
                    "X-Requested-With header",
                    "Apollo-Require-Preflight",
                ),
            )
            return
        too_large = _error(f"The file is larger than {self.max_mb} MB", "audio")
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _respond(send, too_large)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _respond(send, too_large)


async def _drain(receive: Receive, limit: int) -> None:
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _is_multipart_post(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    if scope["path"].rstrip("/") != "/graphql":
        return False
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    return bool(content_type.lower().startswith(b"multipart/"))
