"""Which WebSocket subscriptions may share one execution, and under what key
(the sharing itself is schema/fanout.py).

A subscription shares when it runs over our graphql-transport-ws handler
(``current_operation`` is set), has a user, is a subscription within the
guard's limits and replays nothing of its own (``after`` null): then its key
is (user, document, canonical variables, operation name). ``next_payload`` is
the JSON of a result, serialised once for every member.
"""

from __future__ import annotations

import contextvars
import uuid
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    ArgumentNode,
    GraphQLError,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    parse,
    visit,
)
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation
from strawberry.types import ExecutionResult

from resolvers.context import Context
from schema.limits import Limits

GroupKey = tuple[uuid.UUID, str, bytes, str | None]

# the graphql-transport-ws operation whose task is running (set by the handler)
current_operation: contextvars.ContextVar[Operation[Any, Any] | None] = (
    contextvars.ContextVar("current_operation", default=None)
)


@lru_cache(maxsize=256)
def is_subscription(query: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation that would run is a subscription (False for a
    document that does not parse or is over the token limit: the normal path,
    whose guard enforces every limit, reports that error)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except (GraphQLError, RecursionError, ValueError):
        return False
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if operation_name is not None:
        operations = [
            o for o in operations if o.name and o.name.value == operation_name
        ]
    return (
        len(operations) == 1 and operations[0].operation is OperationType.SUBSCRIPTION
    )


@lru_cache(maxsize=256)
def replay_arguments(query: str, max_tokens: int) -> tuple[bool, frozenset[str]]:
    """How the document passes ``after`` arguments: (a literal that is not
    null, the names of the variables given to one)."""
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except (GraphQLError, RecursionError, ValueError):
        return False, frozenset()
    literal = False
    names: set[str] = set()

    class Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            nonlocal literal
            if node.name.value != "after":
                return
            if isinstance(node.value, VariableNode):
                names.add(node.value.name.value)
            elif not isinstance(node.value, NullValueNode):
                literal = True

    visit(document, Finder())
    return literal, frozenset(names)


def asks_replay(query: str, variables: dict[str, Any] | None, max_tokens: int) -> bool:
    """Whether the subscription replays stored events from a cursor of its
    own first (``after`` not null): it must then run on its own, as a member
    joining a running group would miss its replay."""
    literal, names = replay_arguments(query, max_tokens)
    return literal or any((variables or {}).get(n) is not None for n in names)


def group_key(
    ctx: Any,
    query: str | None,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> GroupKey | None:
    """The key under which a WebSocket subscription shares its execution, or
    None when it runs on its own (not over our handler, no user, not a
    subscription)."""
    if (
        current_operation.get() is None
        or not isinstance(ctx, Context)
        or not isinstance(ctx.request, WebSocket)
        or ctx.user is None
        or not query
    ):
        return None
    # parsed here before the guard runs: only within the guard's own limits
    limits = Limits.from_settings(ctx.settings)
    if (
        len(query) > limits.chars
        or not is_subscription(query, operation_name, limits.tokens)
        or asks_replay(query, variables, limits.tokens)
    ):
        return None
    try:
        canonical = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return (ctx.user.id, query, canonical, operation_name)


def next_payload(result: ExecutionResult) -> bytes:
    """The JSON of a ``next`` message's payload, as strawberry builds it."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [err.formatted for err in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return orjson.dumps(payload)
