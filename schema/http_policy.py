"""What the GraphQL endpoint accepts over HTTP, decided before any execution.

POST bodies must be ``application/json`` or ``multipart/form-data``: the
"simple" content types (``application/x-www-form-urlencoded``, ``text/plain``)
are what a cross-site form can send without a CORS preflight, so refusing them
closes that CSRF path. In production GET is refused too (405), for every
operation. A batch (a JSON array) holds at most ``MAX_BATCH_OPERATIONS``
operations (in production batching is off unless that is set) and never a
credential operation (login, signup, refreshToken): batching would otherwise
multiply password guesses past the per-request rate limit.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from settings import Settings

ACCEPTED_BODY_TYPES = frozenset({"application/json", "multipart/form-data"})
CREDENTIAL_FIELDS = frozenset({"login", "signup", "refreshToken"})


class RefusedRequest(HTTPException):
    """An HTTP-level refusal, answered as a GraphQL-shaped JSON error."""

    def __init__(
        self, status_code: int, reason: str, code: str = "BAD_USER_INPUT", **ext: Any
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.extensions = ext


def refusal_response(
    exc: HTTPException, media_type: str = "application/json"
) -> Response:
    code = getattr(exc, "code", None) or (
        "NOT_FOUND" if exc.status_code == 404 else "BAD_USER_INPUT"
    )
    extensions = {"code": code, **getattr(exc, "extensions", {})}
    body = {"errors": [{"message": exc.reason, "extensions": extensions}]}
    headers = {"allow": "POST"} if exc.status_code == 405 else None
    return Response(
        orjson.dumps(body),
        status_code=exc.status_code,
        media_type=media_type,
        headers=headers,
    )


def check_method(request: Request, settings: Settings) -> None:
    """In production only POST runs operations: a GET is a link or an <img>
    away from any page (CSRF), and lands in access logs with its query."""
    if settings.is_production and request.method == "GET":
        raise RefusedRequest(
            405,
            "GET is not allowed: send operations as POST application/json",
            allow="POST",
        )


def check_content_type(request: Request) -> None:
    """Refuse POST bodies a cross-site form could send (415)."""
    if request.method != "POST":
        return
    raw = request.headers.get("content-type", "")
    media_type = raw.split(";", 1)[0].strip().lower()
    if media_type not in ACCEPTED_BODY_TYPES:
        raise RefusedRequest(
            415,
            "Unsupported content type: send application/json "
            "(or multipart/form-data for uploads)",
        )


def limit_body(receive: Receive, scope: Scope, settings: Settings) -> Receive:
    """A receive that refuses JSON bodies over MAX_REQUEST_BODY_KB (413), by the
    declared length at once, else while it streams; multipart has its own guard."""
    limit = settings.max_request_body_kb * 1024
    headers = dict(scope.get("headers") or [])
    if headers.get(b"content-type", b"").lower().startswith(b"multipart/"):
        return receive
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, int(declared))
    received = 0

    async def counting() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _too_large(limit, received)
        return message

    return counting


def _too_large(limit: int, measured: int) -> RefusedRequest:
    return RefusedRequest(
        413,
        f"The request body is over {limit} bytes",
        "QUERY_TOO_COMPLEX",
        kind="bodyBytes",
        limit=limit,
        measured=measured,
    )


def check_batch(items: list[Any], settings: Settings) -> None:
    """A batch: at most the configured number of operations, none a credential one."""
    limit = settings.batch_limit
    if limit == 1 and len(items) > 1:
        raise RefusedRequest(
            400,
            "Batched requests are off: send one operation per request "
            "(MAX_BATCH_OPERATIONS allows batches)",
            "QUERY_TOO_COMPLEX",
            kind="batch",
            limit=limit,
            measured=len(items),
        )
    if len(items) > limit:
        raise RefusedRequest(
            400,
            f"A batch may hold at most {limit} operations",
            "QUERY_TOO_COMPLEX",
            kind="batch",
            limit=limit,
            measured=len(items),
        )
    if not items:
        raise RefusedRequest(400, "An empty batch holds no operation")
    for item in items:
        if not isinstance(item, dict):
            raise RefusedRequest(400, "Each operation of a batch must be an object")
        query = item.get("query")
        if not isinstance(query, str):
            continue  # refused per operation later with a clearer message
        if len(query) > settings.max_query_chars:
            raise RefusedRequest(
                400,
                "An operation of the batch is too long",
                "QUERY_TOO_COMPLEX",
                kind="characters",
                limit=settings.max_query_chars,
                measured=len(query),
            )
        if _credential_fields(query):
            raise RefusedRequest(
                400, "login, signup and refreshToken cannot be batched"
            )


def _credential_fields(query: str) -> set[str]:
    try:
        document = parse(query)
    except GraphQLError:
        return set()  # reported by the operation itself
    fragments = {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    found: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            _root_fields(definition.selection_set, fragments, found, set())
    return found & CREDENTIAL_FIELDS


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    found: set[str],
    seen: set[str],
) -> None:
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            found.add(sel.name.value)
        elif isinstance(sel, InlineFragmentNode):
            _root_fields(sel.selection_set, fragments, found, seen)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
            seen.add(sel.name.value)
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                _root_fields(fragment.selection_set, fragments, found, seen)


__all__ = ["RefusedRequest", "check_batch", "check_content_type", "check_method"]
