"""The Relay ``Node`` interface and the registry behind ``node``/``nodes``."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from resolvers.ids import encode_id

NodeResolver = Callable[[Info[Context, None], uuid.UUID], Awaitable[Any]]

# type name -> resolver returning the object when the caller may see it, else None
NODE_RESOLVERS: dict[str, NodeResolver] = {}
# the ORM class behind each Node type -> its GraphQL type name
TYPE_NAMES: dict[type, str] = {}


def register_node(type_name: str, resolver: NodeResolver, model: type) -> None:
    NODE_RESOLVERS[type_name] = resolver
    TYPE_NAMES[model] = type_name


@strawberry.interface(description="An object with an opaque global ID.")
class Node:
    @strawberry.field
    @staticmethod
    def id(root: strawberry.Parent[Any]) -> strawberry.ID:
        # named from the row's class: no Info object is built for the hottest
        # field of every list (asking for `info` costs one per object)
        return strawberry.ID(encode_id(TYPE_NAMES[type(root)], root.id))


if TYPE_CHECKING:  # a row of any Node type (schema/rows.py)
    NodeRow: TypeAlias = object
else:
    NodeRow = Node
