"""The plain HTTP routes beside /graphql: ``/health`` (database, job queue,
storage; 503 naming what fails), ``/metrics`` (Prometheus, to allowed
addresses only) and ``/exports/{id}`` (an export's download, to the
therapist who asked, audited before any byte leaves)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from db.queries.ops import job_store_ready
from resolvers.export_requests import download_id
from schema.metrics_http import metrics_allowed, metrics_body
from services import exports, logs, storage
from services.auth import user_from_token
from services.blobstore import StorageUnavailable
from services.errors import Unauthenticated
from services.tokens import bearer_token
from settings import Settings

log = logging.getLogger("therapybridge.http")

VERSION = "0.1.0"
HEALTH_TIMEOUT_SECONDS = 5.0


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def http_routes(
    settings: Settings, factory: Callable[[], async_sessionmaker[AsyncSession]]
) -> list[Route]:
    """/health, /metrics and /exports/{id}, reading the session factory once
    the lifespan has made it."""

    async def health(request: Request) -> Response:
        body: dict[str, str] = {
            "status": "ok",
            "database": "ok",
            "jobs": "ok",
            "storage": "ok",
        }
        try:
            # a database that hangs must not hang the health check
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                async with factory()() as db:
                    await db.execute(text("SELECT 1"))
                    # jobs live in the same database: their queue must be installed
                    if not await job_store_ready(db):
                        body["jobs"] = "unavailable"
        except Exception as exc:
            log.warning("health check: database unreachable (%s)", type(exc).__name__)
            body["database"] = "unavailable"
            body["jobs"] = "unavailable"
        if not await storage.check(settings):
            body["storage"] = "unavailable"
        failing = [k for k, v in body.items() if k != "status" and v != "ok"]
        if failing:
            body["status"] = "unavailable: " + ", ".join(failing)
        body["version"] = VERSION
        return JSONResponse(body, status_code=503 if failing else 200)

    async def metrics_endpoint(request: Request) -> Response:
        if not metrics_allowed(request, settings):
            refused = {
                "errors": [
                    {"message": "Forbidden", "extensions": {"code": "FORBIDDEN"}}
                ]
            }
            return JSONResponse(refused, status_code=403)
        return await metrics_body(factory)

    async def export_download(request: Request) -> Response:
        return await download_export(request, settings, factory())

    return [
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/exports/{id}", export_download, methods=["GET"]),
    ]


NOT_FOUND_BODY = {"error": "Not found"}
INTERNAL_ERROR_BODY = {
    "error": "Internal server error",
    "code": "INTERNAL_SERVER_ERROR",
}


async def download_export(
    request: Request,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> Response:
    """GET /exports/{id}: only the therapist who asked, only while unexpired.

    Unknown, expired, malformed and other people's ids all get the same 404,
    so nothing tells whether an export exists. The download is audited.
    """
    token = bearer_token(request.headers.get("authorization"))
    if not token:
        return JSONResponse({"error": "Authentication required"}, status_code=401)
    job_id = download_id(request.path_params["id"])
    async with session_factory() as db:
        try:
            user = await user_from_token(db, settings, token)
        except Unauthenticated:
            return JSONResponse({"error": "Authentication required"}, status_code=401)
        logs.bind(user_id=str(user.id))
        found = None
        if job_id is not None:
            found = await exports.open_download(
                db,
                settings,
                user,
                job_id,
                str(request.scope.get("request_id") or ""),
                request.client.host if request.client else None,
            )
        if found is None:
            return JSONResponse(NOT_FOUND_BODY, status_code=404)
        try:
            # the first chunk is authenticated before any header is sent
            opened = await storage.open_stream(settings, found.ref)
        except (storage.DamagedFile, StorageUnavailable):
            # the cause (key and chunk, no content) is logged by storage
            return JSONResponse(INTERNAL_ERROR_BODY, status_code=500)
        if opened is None:
            log.warning("export file missing from storage")
            return JSONResponse(NOT_FOUND_BODY, status_code=404)
        await db.commit()  # the audit event, before any byte leaves
    headers = {
        "cache-control": "no-store",
        "content-disposition": f'attachment; filename="{found.filename}"',
    }
    if opened.size is not None:
        headers["content-length"] = str(opened.size)
    # a chunk that fails later raises inside the body: the server aborts the
    # connection, so the client sees a failed download, never garbage
    return StreamingResponse(
        opened.body(), media_type=found.media_type, headers=headers
    )
