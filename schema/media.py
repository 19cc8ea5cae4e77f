"""Response media types, as the GraphQL-over-HTTP spec has them.

``Accept`` picks ``application/graphql-response+json`` when the client asks
for it (Apollo Client 4 does by default) and ``application/json`` otherwise;
no ``Accept`` at all means ``application/json``, and an ``Accept`` that allows
neither is answered 406. Under the new media type a request error (the
document does not parse, fails validation or a limit, or its variables do not
coerce: nothing was executed) is a 400 without a ``data`` entry; under
``application/json`` it stays a 200, as legacy clients expect.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import GraphQLError
from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SCOPE_KEY = "therapybridge.media_type"
REQUEST_ERROR_KEY = "therapybridge.request_error"
# set on errors raised before execution (schema/guard.py): a marker, never
# sent to the client
_REQUEST_ERROR_ATTR = "_tb_request_error"


@lru_cache(maxsize=64)
def negotiate(accept: str | None) -> str | None:
    """The response media type for ``accept``, or None when none is acceptable.

    The highest quality wins; at equal quality the new media type, when it is
    named (a wildcard alone means application/json, as the spec's audit
    expects of ``*/*``)."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, _, params = part.partition(";")
        media = media.strip().lower()
        quality = _quality(params)
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            candidate = (quality, 1, GRAPHQL_RESPONSE)
        elif media in (JSON, "application/*", "*/*"):
            candidate = (quality, 0, JSON)
        else:
            continue
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def mark_request_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Mark ``errors`` as raised before execution (no data entry, 400)."""
    for error in errors:
        setattr(error, _REQUEST_ERROR_ATTR, True)
    return errors


def is_request_error(data: object, errors: list[GraphQLError] | None) -> bool:
    """Whether a result is a request error: no data, and every error marked."""
    return (
        data is None
        and bool(errors)
        and all(getattr(e, _REQUEST_ERROR_ATTR, False) for e in errors or ())
    )


def as_graphql_response(response: Response, request_error: bool) -> None:
    """A JSON response as application/graphql-response+json: that content type,
    and 400 for a single operation that failed before execution (a batch, a
    JSON array, stays 200 since its operations may differ)."""
    if not response.headers.get("content-type", "").startswith(JSON):
        return  # the GraphiQL page, a stream
    response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
    body = getattr(response, "body", b"")
    if request_error and response.status_code == 200 and body[:1] == b"{":
        response.status_code = 400
