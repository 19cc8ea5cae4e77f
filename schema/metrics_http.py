"""GET /metrics: who may read it, and the loopback-only METRICS_PORT listener."""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services import metrics
from settings import Settings


def metrics_allowed(request: Request, settings: Settings) -> bool:
    """METRICS_TOKEN set: that bearer token. Else open outside production and
    closed in production, whoever asks: behind a reverse proxy on the same
    host every client would be "loopback" (METRICS_PORT serves it instead)."""
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        return hmac.compare_digest(given.encode(), expected.encode())
    return not settings.is_production


async def metrics_body(factory: Any) -> Response:
    body = await metrics.render(factory())
    return Response(body, media_type=metrics.CONTENT_TYPE)


def metrics_port_server(settings: Settings, factory: Any) -> Any:
    """GET /metrics alone on 127.0.0.1:METRICS_PORT, without a token: only
    processes on this machine reach it, never a client through the proxy.
    A uvicorn Server that leaves the signals to the main server."""
    import uvicorn

    class Quiet(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    async def endpoint(request: Request) -> Response:
        return await metrics_body(factory)

    app = Starlette(routes=[Route("/metrics", endpoint, methods=["GET"])])
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=settings.metrics_port or 0,
        lifespan="off",
        access_log=False,
        log_config=None,
    )
    return Quiet(config)
