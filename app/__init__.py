"""create_app(): the Starlette application. Its parts: ``app/middleware.py``
(request id, security headers, access log, upload guard, CORS),
``app/lifespan.py`` (what starts and stops with the process),
``app/routes.py`` (/health, /metrics, /exports/{id}); /graphql is
``schema/view.py``'s view, built once the session factory exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from app.lifespan import FactoryCell, lifespan_for
from app.middleware import RequestContextMiddleware, middleware_for
from app.routes import download_export, http_routes
from schema import AppSchema, schema_for
from schema.documents import load_manifest
from schema.graphiql import STATIC_PREFIX, static_asset
from schema.view import GraphQLView
from settings import Settings, get_settings

__all__ = ["LazyGraphQL", "RequestContextMiddleware", "create_app", "download_export"]


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
    factory = FactoryCell(session_factory)
    lifespan = lifespan_for(
        settings, state, factory, own_engine=session_factory is None
    )
    graphql = LazyGraphQL(settings, factory, schema or schema_for(settings))
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST", "OPTIONS"]),
        WebSocketRoute("/graphql", graphql),
        *http_routes(settings, factory),
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
        middleware=middleware_for(settings),
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


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
