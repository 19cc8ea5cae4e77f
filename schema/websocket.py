"""The subscription side of the GraphQL view (graphql-transport-ws):
``GuardedWebSocketAdapter`` (text frames, a close that tolerates a closed
socket, a fast sender for shared results) and ``accept_subscriber``, which
authorises a connection from its connection_init payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected

from db.errors import is_unavailable
from resolvers.context import Context
from services import logs
from services.errors import Forbidden, Unauthenticated
from services.events import authenticate_subscriber
from services.tokens import bearer_token
from settings import Settings


class GuardedWebSocketAdapter(ASGIWebSocketAdapter):
    """Closing an already closed socket is a no-op: on_ws_connect closes with
    its own code (4401/4403) before strawberry's generic rejection close."""

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            await super().close(code, reason)

    async def send_json(self, message: Mapping[str, object]) -> None:
        # graphql-transport-ws messages are text frames: browser clients
        # (graphql-ws) ignore binary ones, and orjson encodes to bytes
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def send_text(self, text: str) -> None:
        """One pre-serialised message (the shared subscription results)."""
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    def frame_sender(self) -> Callable[[str], Awaitable[None]]:
        """A sender of text frames for the shared subscription results: straight
        to the ASGI send, without starlette's three layers per message (1,000
        frames an event); refuses once the socket is no longer connected, and
        raises the server's own error if the client has gone."""
        ws = self.ws
        raw = getattr(ws, "_send", None)
        if raw is None:  # pragma: no cover - a starlette without it
            return self.send_text

        async def send(text: str) -> None:
            if ws.application_state != WebSocketState.CONNECTED:
                raise WebSocketDisconnected
            await raw({"type": "websocket.send", "text": text})

        return send


async def accept_subscriber(
    context: Context,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    """Authorise a subscription connection from its connection_init payload
    ({"authorization": "Bearer <token>"}): the socket is closed with 4401
    without a valid token, 4403 for a deactivated account, 1013 while the
    database is away, and ConnectionRejectionError raised, before any
    operation can start."""
    params = context.connection_params or {}
    header = params.get("authorization") or params.get("Authorization")
    token = bearer_token(header if isinstance(header, str) else None)
    try:
        context.user = await authenticate_subscriber(session_factory, settings, token)
        logs.bind(user_id=str(context.user.id))
    except Forbidden:
        await close_socket(context, 4403, "Forbidden")
        raise ConnectionRejectionError from None
    except Unauthenticated:
        await close_socket(context, 4401, "Unauthorized")
        raise ConnectionRejectionError from None
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        # the database is away: the client may reconnect (with its cursor)
        await close_socket(context, 1013, "Database unavailable; try again later")
        raise ConnectionRejectionError from None


async def close_socket(context: Context, code: int, reason: str) -> None:
    ws = context.request
    if (
        isinstance(ws, WebSocket)
        and ws.application_state != WebSocketState.DISCONNECTED
    ):
        await ws.close(code=code, reason=reason)
