"""Text PostgreSQL cannot store: refused as BAD_USER_INPUT before execution.

A NUL character (``\\u0000``) or a lone surrogate in any string input would
otherwise fail deep in the database driver as an unexpected error (and
half-way through a mutation); they are never meaningful in clinical text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
)

from services.errors import BadInput

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "Text may not contain NUL characters or unpaired surrogates"


def _in_value(value: Any, field: str) -> Iterator[str]:
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            yield field
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _in_value(item, str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _in_value(item, field)


def _in_node(node: Node, field: str) -> Iterator[str]:
    if isinstance(node, StringValueNode):
        if UNSTORABLE.search(node.value):
            yield field
    elif isinstance(node, ListValueNode):
        for value in node.values:
            yield from _in_node(value, field)
    elif isinstance(node, ObjectValueNode):
        for object_field in node.fields:
            yield from _in_node(object_field.value, object_field.name.value)


def _literal_fields(node: Any) -> Iterator[str]:
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ArgumentNode | ObjectFieldNode):
            yield from _in_node(current.value, current.name.value)
        elif isinstance(current, Node):
            stack.extend(getattr(current, key) for key in current.keys)
        elif isinstance(current, tuple | list):
            stack.extend(current)


def unstorable_text(
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    *,
    literals: bool = True,
) -> GraphQLError | None:
    """The BAD_USER_INPUT error for the first input holding unstorable text
    (``literals=False``: the variables only, the document being known clean)."""
    in_document = _literal_fields(document) if literals else iter(())
    fields = (*_in_value(variables or {}, "variables"), *in_document)
    if not fields:
        return None
    exc = BadInput(fields[0], MESSAGE)
    return GraphQLError(exc.message, original_error=exc)
