"""Every GraphQL error gets an ``extensions.code``; unexpected ones are masked."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from graphql import GraphQLError

from db.queries.pagination import CursorError
from services.errors import AppError

log = logging.getLogger("therapybridge.errors")

MASKED_MESSAGE = "Internal server error"


def format_error(error: GraphQLError, request_id: str | None) -> dict[str, Any]:
    """The error as the response shows it."""
    original = error.original_error
    formatted: dict[str, Any] = error.formatted  # type: ignore[assignment]
    if isinstance(original, AppError):
        formatted["message"] = original.message
        formatted["extensions"] = original.as_extensions()
        return formatted
    if isinstance(original, CursorError):
        formatted["message"] = "Invalid cursor"
        formatted["extensions"] = {"code": "BAD_USER_INPUT", "field": "after"}
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


def log_unexpected(error: GraphQLError, request_id: str | None) -> None:
    """Log an unexpected error without its message (it may hold PHI or SQL)."""
    original = error.original_error
    if original is None or isinstance(original, AppError):
        return
    frames = "".join(traceback.format_tb(original.__traceback__))
    log.error(
        "unexpected error %s at %s (request %s)\n%s",
        type(original).__name__,
        ".".join(str(p) for p in (error.path or [])),
        request_id,
        frames,
    )
