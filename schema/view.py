"""The Strawberry ASGI view: context, auth, error formatting, orjson."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from resolvers.context import Context
from schema.errors import format_error
from services import logs
from services.auth import user_from_token
from services.errors import Forbidden, Unauthenticated
from services.events import authenticate_subscriber
from services.tokens import bearer_token
from settings import Settings


def request_id_of(request: Request | WebSocket) -> str:
    return str(request.scope.get("request_id") or "")


class GuardedWebSocketAdapter(ASGIWebSocketAdapter):
    """Closing an already closed socket is a no-op: on_ws_connect closes with
    its own code (4401/4403) before strawberry's generic rejection close."""

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            await super().close(code, reason)


class GraphQLView(GraphQL[Context, None]):
    websocket_adapter_class = GuardedWebSocketAdapter

    def __init__(
        self,
        schema: Any,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=("graphql-transport-ws",),
            multipart_uploads_enabled=True,
            allowed_origins=settings.cors_origin_list,
        )
        self.settings = settings
        self.session_factory = session_factory

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        ctx = Context(
            request=request,
            response=response,
            settings=self.settings,
            session_factory=self.session_factory,
            request_id=request_id_of(request),
        )
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token:
                await self.authenticate(ctx, token)
        return ctx

    @staticmethod
    async def authenticate(ctx: Context, token: str) -> None:
        try:
            ctx.user = await user_from_token(ctx.session, ctx.settings, token)
            logs.bind(user_id=str(ctx.user.id))
        except Unauthenticated as exc:
            ctx.auth_error = exc.message

    async def on_ws_connect(
        self, context: Context
    ) -> UnsetType | dict[str, object] | None:
        """Authorise a subscription connection from its connection_init payload
        ({"authorization": "Bearer <token>"}): 4401 without a valid token,
        4403 for a deactivated account, before any operation can start."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        token = bearer_token(header if isinstance(header, str) else None)
        try:
            context.user = await authenticate_subscriber(
                self.session_factory, self.settings, token
            )
            logs.bind(user_id=str(context.user.id))
        except Forbidden:
            await _close(context, 4403, "Forbidden")
            raise ConnectionRejectionError from None
        except Unauthenticated:
            await _close(context, 4401, "Unauthorized")
            raise ConnectionRejectionError from None
        ack: UnsetType = UNSET
        return ack

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            rid = request_id_of(request)
            data["errors"] = [format_error(e, rid) for e in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


async def _close(context: Context, code: int, reason: str) -> None:
    ws = context.request
    if (
        isinstance(ws, WebSocket)
        and ws.application_state != WebSocketState.DISCONNECTED
    ):
        await ws.close(code=code, reason=reason)


def error_response(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


__all__ = ["GraphQLError", "GraphQLView", "error_response"]
