"""Every GraphQL error gets an ``extensions.code``; unexpected ones are masked."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.responses import Response

from db.errors import is_statement_timeout, is_unavailable
from db.queries.pagination import CursorError
from services.errors import AppError, QueryTooComplex, ServiceUnavailable

log = logging.getLogger("therapybridge.errors")
# graphql-core's variable coercion errors: "Variable '$input' has invalid value
# at .dateOfBirth: ..." (the scalar's own exception is the original error)
VARIABLE_ERROR = re.compile(
    r"^Variable '\$(\w+)' (?:has invalid value at ([\w.\[\]]+):"
    r"|got invalid value .*? at '([\w.\[\]]+)')?",
    re.S,
)

MASKED_MESSAGE = "Internal server error"
STATEMENT_TIMEOUT = QueryTooComplex(
    "A database statement took longer than DB_STATEMENT_TIMEOUT_MS",
    kind="timeout",
)


def known_failure(original: BaseException | None) -> AppError | None:
    """The coded error for a database failure that is not a bug: a statement
    timeout (QUERY_TOO_COMPLEX, kind timeout) or an unreachable database
    (SERVICE_UNAVAILABLE)."""
    if original is None or isinstance(original, AppError):
        return None
    if is_statement_timeout(original):
        return STATEMENT_TIMEOUT
    if is_unavailable(original):
        return ServiceUnavailable()
    return None


def format_error(error: GraphQLError, request_id: str | None) -> dict[str, Any]:
    """The error as the response shows it."""
    original = error.original_error
    formatted: dict[str, Any] = dict(error.formatted)
    original = known_failure(original) or original
    if isinstance(original, AppError):
        formatted["message"] = original.message
        formatted["extensions"] = original.as_extensions()
        return formatted
    if isinstance(original, CursorError):
        formatted["message"] = "Invalid cursor"
        formatted["extensions"] = {"code": "BAD_USER_INPUT", "field": "after"}
        return formatted
    field = bad_variable(error)
    if field is not None:
        formatted["extensions"] = {"code": "BAD_USER_INPUT", "field": field}
        return formatted
    if original is None:
        ext = dict(error.extensions or {})
        ext.setdefault("code", "BAD_USER_INPUT")
        formatted["extensions"] = ext
        return formatted
    return {
        "message": MASKED_MESSAGE,
        "locations": formatted.get("locations"),
        "path": formatted.get("path"),
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }


# "Did you mean ...?" names fields, arguments, types and enum values
SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


def apply_format(
    error: GraphQLError, request_id: str | None, strip_suggestions: bool
) -> None:
    """Give the error object itself its shown message and extensions.

    The WebSocket transport sends ``error.formatted`` as it is, so masking and
    codes must be on the error, not only in the HTTP view's formatting.
    """
    shown = format_error(error, request_id)
    message = str(shown["message"])
    error.message = SUGGESTION.sub("", message) if strip_suggestions else message
    error.extensions = shown.get("extensions")


def bad_variable(error: GraphQLError) -> str | None:
    """The input field at fault when a variable's value was refused, else None."""
    if error.path is not None or error.original_error is None:
        return None
    match = VARIABLE_ERROR.match(error.message)
    if match is None:
        return None
    path = match.group(2) or match.group(3) or match.group(1)
    return path.rsplit(".", 1)[-1].split("[", 1)[0]


def log_unexpected(error: GraphQLError, request_id: str | None) -> None:
    """Log an unexpected error without its message (it may hold PHI or SQL)."""
    original = error.original_error
    if original is None or isinstance(original, AppError) or bad_variable(error):
        return
    known = known_failure(original)
    if known is not None:
        log.warning(
            "%s (%s) at %s (request %s)",
            known.code,
            type(original).__name__,
            ".".join(str(p) for p in (error.path or [])),
            request_id,
        )
        return
    frames = "".join(traceback.format_tb(original.__traceback__))
    log.error(
        "unexpected error %s at %s (request %s)\n%s",
        type(original).__name__,
        ".".join(str(p) for p in (error.path or [])),
        request_id,
        frames,
    )


def unavailable_response() -> Response:
    """503 for a request the database failed before any execution began."""
    exc = ServiceUnavailable()
    body = {"errors": [{"message": exc.message, "extensions": exc.as_extensions()}]}
    return Response(
        orjson.dumps(body),
        status_code=503,
        media_type="application/json",
        headers={"retry-after": str(exc.extensions["retryAfter"])},
    )
