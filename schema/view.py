"""The Strawberry ASGI view of /graphql: what HTTP may carry (checked with
schema/http_policy.py), the per-operation Context with the bearer token's
user, batches run one after the other, persisted and trusted documents
(schema/documents.py), error formatting and orjson. Subscriptions:
schema/websocket.py."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from db.engine import autocommit_sessionmaker
from db.errors import is_unavailable
from resolvers.context import Context
from schema import documents
from schema.errors import SUGGESTION, format_error, unavailable_response
from schema.fanout import SharingTransportWSHandler
from schema.graphiql import page_response
from schema.guard import is_known_query
from schema.http_policy import (
    RefusedRequest,
    check_batch,
    check_content_type,
    check_method,
    limit_body,
    refusal_response,
)
from schema.media import (
    GRAPHQL_RESPONSE,
    JSON,
    REQUEST_ERROR_KEY,
    SCOPE_KEY,
    as_graphql_response,
    is_request_error,
    negotiate,
)
from schema.websocket import GuardedWebSocketAdapter, accept_subscriber
from services import logs
from services.auth import user_from_token
from services.errors import Unauthenticated
from services.tokens import bearer_token
from settings import Settings

CONTEXT_KEY = "therapybridge.context"


def request_id_of(request: Request | WebSocket) -> str:
    return str(request.scope.get("request_id") or "")


async def _known_query(request: Request) -> bool:
    """Whether the request is one query the guard has passed before (a GET,
    or a POST of one JSON operation): it then runs without a transaction.
    Anything else (a batch, a multipart upload, a document not yet seen, a
    body that does not parse) keeps the transaction."""
    if request.method == "GET":
        params = request.query_params
        return is_known_query(params.get("query"), params.get("operationName"))
    if request.method != "POST" or "json" not in request.headers.get(
        "content-type", ""
    ):
        return False
    # read once: strawberry reads the same cached body afterwards
    body = await request.body()
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(data, dict):
        return False
    return is_known_query(data.get("query"), data.get("operationName"))


class GraphQLView(GraphQL[Context, None]):
    websocket_adapter_class = GuardedWebSocketAdapter
    graphql_transport_ws_handler_class = SharingTransportWSHandler

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        media = JSON
        try:
            request = Request(scope, limit_body(receive, scope, self.settings))
            check_method(request, self.settings)
            media = self.response_media_type(request)
            scope[SCOPE_KEY] = media
            check_content_type(request)
            response = await self.run(request)
            if media == GRAPHQL_RESPONSE:
                as_graphql_response(response, bool(scope.get(REQUEST_ERROR_KEY)))
        except HTTPException as exc:
            response = refusal_response(exc, media)
        except StarletteHTTPException as exc:  # e.g. an unparsable multipart body
            response = refusal_response(
                HTTPException(exc.status_code, exc.detail), media
            )
        except Exception as exc:
            # the database went away before execution (reading the token's user)
            if not is_unavailable(exc):
                raise
            response = unavailable_response()
        finally:
            # refused requests never reach the unit of work that closes it
            ctx = scope.pop(CONTEXT_KEY, None)
            if ctx is not None:
                await ctx.close()
        await response(scope, receive, send)

    def response_media_type(self, request: Request) -> str:
        """The negotiated media type (406 when Accept allows none). The
        GraphiQL page and HTTP streaming transports choose their own."""
        adapter = self.request_adapter_class(request)
        if self.should_render_graphql_ide(adapter):
            return JSON
        if self._get_stream_transport_from_headers(request.headers):
            return JSON
        media = negotiate(request.headers.get("accept"))
        if media is None:
            raise RefusedRequest(
                406,
                f"Not acceptable: accept {GRAPHQL_RESPONSE} or {JSON}",
            )
        return media

    async def render_graphql_ide(self, request: Request) -> Response:
        return page_response()

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
            request.scope[CONTEXT_KEY] = ctx
            if await _known_query(request):
                ctx.read_factory = autocommit_sessionmaker(self.session_factory)
            token = bearer_token(request.headers.get("authorization"))
            if token:
                await self.authenticate(ctx, token)
        return ctx

    @staticmethod
    async def authenticate(ctx: Context, token: str) -> None:
        try:
            ctx.user = await user_from_token(ctx.db, ctx.settings, token)
            logs.bind(user_id=str(ctx.user.id))
        except Unauthenticated as exc:
            ctx.auth_error = exc.message

    def _validate_batch_request(self, request_data: Any, protocol: Any) -> None:
        if self._get_stream_transport(protocol):
            raise RefusedRequest(400, "Batching is not supported with streaming")
        check_batch(request_data, self.settings)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST" and "json" in (request.content_type or ""):
            decoded = self.parse_json(await request.get_body())
            if not isinstance(decoded, dict | list):
                raise RefusedRequest(400, "The body must be a JSON object or array")
        else:
            decoded = dict(request.query_params)
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item.operation_name, str | None):
                raise RefusedRequest(400, "operationName must be a string or null")
            if not isinstance(item.variables, dict | None):
                raise RefusedRequest(400, "variables must be an object or null")
        return documents.with_document_ids(data, decoded)

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        # strawberry assumes both fields are JSON objects and fails with a 500
        # on anything else (e.g. map=0)
        form = await request.get_form_data()
        for name, expected in (("operations", dict | list), ("map", dict)):
            raw = form.form.get(name, "{}")
            value = self.parse_json(raw) if isinstance(raw, str | bytes) else raw
            if not isinstance(value, expected):
                raise RefusedRequest(400, f"The multipart field {name} is malformed")
            if name == "map" and not all(
                isinstance(paths, list) and all(isinstance(p, str) for p in paths)
                for paths in value.values()
            ):
                raise RefusedRequest(400, "The multipart field map is malformed")
        try:
            return await super().parse_multipart(request)
        except (IndexError, TypeError, ValueError) as exc:
            # a map path that does not lead into operations
            raise RefusedRequest(400, "The multipart map does not match") from exc

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        if not isinstance(request_data, list):
            return await super().execute_operation(
                request,
                request_adapter,
                request_data,
                context,
                root_value,
                sub_response,
            )
        # one after the other: the operations share the request's context, whose
        # session each operation commits and closes at its end
        return [
            await self.execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=item,
            )
            for item in request_data
        ]

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One operation, its document found by hash when the request sends
        one (schema/documents.py); an APQ document is registered once it ran
        without a request error."""
        manifest = None
        if self.settings.trusted_documents is not None:
            manifest = documents.load_manifest(self.settings.trusted_documents)
        try:
            resolved = await documents.resolve(
                request_data.query,
                request_data.extensions,
                getattr(request_data, "document_id", None),
                manifest,
                self.session_factory,
            )
        except documents.DocumentError as exc:
            return ExecutionResult(data=None, errors=[exc.as_graphql()])
        request_data.query = resolved.query
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if resolved.register and isinstance(resolved.query, str):
            if not is_request_error(result.data, result.errors):
                await documents.register(
                    self.session_factory, resolved.register, resolved.query
                )
        return result

    async def on_ws_connect(
        self, context: Context
    ) -> UnsetType | dict[str, object] | None:
        """Authorise the connection (schema/websocket.py)."""
        await accept_subscriber(context, self.session_factory, self.settings)
        ack: UnsetType = UNSET
        return ack

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {}
        if is_request_error(result.data, result.errors):
            # nothing was executed: the spec's responses have no data entry
            # (kept as null under application/json, as legacy clients expect)
            request.scope[REQUEST_ERROR_KEY] = True
            if request.scope.get(SCOPE_KEY) != GRAPHQL_RESPONSE:
                data["data"] = None
        else:
            data["data"] = result.data
        if result.errors:
            rid = request_id_of(request)
            errors = [format_error(e, rid) for e in result.errors]
            if self.settings.is_production:
                for error in errors:
                    error["message"] = SUGGESTION.sub("", str(error["message"]))
            data["errors"] = list[object](errors)
        if result.extensions:
            data["extensions"] = result.extensions
        return data

    def decode_json(self, data: str | bytes) -> object:
        # orjson: invalid UTF-8 and absurd nesting are JSONDecodeErrors (400),
        # where json.loads would raise UnicodeDecodeError or RecursionError
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
