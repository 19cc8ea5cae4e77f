"""The HTTP middleware around every request and WebSocket: the request id,
the security headers, ``no-store`` on /graphql and one access log line
(``RequestContextMiddleware``); with the upload guard and CORS, the stack
``create_app`` installs (``middleware_for``)."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.upload_guard import UploadGuard
from services import logs
from services.collector import collector
from settings import Settings

log = logging.getLogger("therapybridge.http")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class RequestContextMiddleware:
    """Request id, security headers, no-store on /graphql, one access log line
    (method, path, status, duration: never the query string, which may hold PHI).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode()
        request_id = incoming if valid_request_id(incoming) else uuid.uuid4().hex
        scope["request_id"] = request_id
        logs.clear()
        logs.bind(request_id=request_id)
        started = time.perf_counter()
        status = 0
        http = scope["type"] == "http"
        if http:
            collector.request_started()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                if scope["path"].startswith("/graphql"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            # a WebSocket's messages need no headers: no wrapper per frame
            wrapped = send_wrapper if scope["type"] == "http" else send
            await self.app(scope, receive, wrapped)
        finally:
            if http:
                log.info(
                    "%s %s %s %.1fms",
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - started) * 1000,
                )
                collector.request_ended()
            logs.clear()


def valid_request_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def middleware_for(settings: Settings) -> list[Middleware]:
    middleware = [
        Middleware(RequestContextMiddleware),
        Middleware(
            UploadGuard,
            max_upload_bytes=settings.max_upload_bytes,
            max_upload_mb=settings.max_upload_mb,
        ),
    ]
    if settings.cors_origin_list:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "apollo-require-preflight",
                    "x-requested-with",
                    "x-request-id",
                ],
                max_age=600,
            )
        )
    return middleware
