"""create_app(): the Starlette application."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.engine import create_engine, create_sessionmaker
from db.queries.ops import job_store_ready
from db.runtime import resolve_database_url
from resolvers.export_requests import download_id
from schema import AppSchema, schema_for
from schema.documents import load_manifest
from schema.graphiql import STATIC_PREFIX, static_asset
from schema.metrics_http import metrics_allowed, metrics_body, metrics_port_server
from schema.upload_guard import UploadGuard
from schema.view import GraphQLView
from services import exports, jobs, logs, metrics, ops_jobs, storage
from services.audit import batcher as audit_batcher
from services.auth import user_from_token
from services.blobstore import StorageUnavailable
from services.collector import collector
from services.errors import Unauthenticated
from services.events import broker
from services.tokens import bearer_token
from settings import Settings, get_settings

log = logging.getLogger("therapybridge.http")

VERSION = "0.1.0"
HEALTH_TIMEOUT_SECONDS = 5.0

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


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
        request_id = incoming if _valid_request_id(incoming) else uuid.uuid4().hex
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


def _claim_lock(settings: Settings, state: dict[str, Any], name: str) -> bool:
    """One in-process job worker (and one METRICS_PORT listener) per machine
    and DATA_DIR: with --workers N the uvicorn processes race for a file lock;
    the lock dies with its holder."""
    path = settings.data_dir.expanduser().resolve() / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    state[f"{name}_lock"] = handle  # held open for the process's life
    return True


def _valid_request_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def create_app(
    settings: Settings | None = None,
    *,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
    schema: AppSchema | None = None,
) -> Starlette:
    """The application. ``session_factory`` replaces the engine, ``schema`` the
    schema of the settings' mode (tests)."""
    settings = settings or get_settings()
    state: dict[str, Any] = {}
    # the given factory, else the one the lifespan makes from its engine
    current = session_factory

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal current
        engine: AsyncEngine | None = None
        capacity = settings.db_pool_size + settings.db_max_overflow
        worker: asyncio.Task[None] | None = None
        idle_gc: asyncio.Task[None] | None = None
        metrics_server: Any = None
        metrics_task: asyncio.Task[None] | None = None
        if session_factory is None:
            url = resolve_database_url()
            engine = create_engine(settings, url)
            metrics.instrument_pool(engine, capacity)
            current = create_sessionmaker(engine)
            await broker.start(url)
            await jobs.open_jobs(settings, url, current)
            if settings.auto_cleanup_on_startup:
                await ops_jobs.defer_cleanup()
            if settings.in_process_worker and _claim_lock(settings, state, "worker"):
                worker = asyncio.create_task(
                    jobs.run_worker(install_signal_handlers=False)
                )
            collector.tune()
            idle_gc = asyncio.create_task(collector.run())
            if settings.metrics_port and _claim_lock(settings, state, "metrics"):
                metrics_server = metrics_port_server(settings, factory)
                metrics_task = asyncio.create_task(metrics_server.serve())
        try:
            yield
        finally:
            if metrics_task is not None:
                metrics_server.should_exit = True
                await metrics_task
            for task in (worker, idle_gc):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await jobs.close_jobs()
            await storage.close_stores()
            await broker.stop()
            await audit_batcher.flush()
            if engine is not None:
                await engine.dispose()
                metrics.release_pool(capacity)
            metrics.process_exiting()

    def factory() -> async_sessionmaker[AsyncSession]:
        if current is None:
            raise RuntimeError("no session factory before the lifespan starts")
        return current

    graphql = LazyGraphQL(settings, factory, schema or schema_for(settings))

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
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST", "OPTIONS"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/exports/{id}", export_download, methods=["GET"]),
    ]
    if settings.graphiql_enabled:
        routes.append(
            Route(
                f"{STATIC_PREFIX}/{{digest}}/{{path:path}}",
                static_asset,
                methods=["GET"],
            )
        )
    if settings.trusted_documents is not None:
        load_manifest(settings.trusted_documents)  # a bad manifest stops start-up
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


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


class LazyGraphQL:
    """Builds the view once the session factory exists (after lifespan start)."""

    def __init__(self, settings: Settings, factory: Any, schema: AppSchema) -> None:
        self.settings = settings
        self.factory = factory
        self.schema = schema
        self.view: GraphQLView | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.view is None:
            self.view = GraphQLView(self.schema, self.settings, self.factory())
        await self.view(scope, receive, send)
