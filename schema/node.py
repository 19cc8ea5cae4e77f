"""The Relay ``Node`` interface and the registry behind ``node``/``nodes``."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from resolvers.ids import encode_id

NodeResolver = Callable[[Info[Context, None], uuid.UUID], Awaitable[Any]]

# type name -> resolver returning the object when the caller may see it, else None
NODE_RESOLVERS: dict[str, NodeResolver] = {}


def register_node(type_name: str, resolver: NodeResolver) -> None:
    NODE_RESOLVERS[type_name] = resolver


@strawberry.interface(description="An object with an opaque global ID.")
class Node:
    @strawberry.field
    @staticmethod
    def id(root: strawberry.Parent[Any], info: Info[Context, None]) -> strawberry.ID:
        # the concrete type being resolved names the ID, so no type repeats this
        return strawberry.ID(encode_id(info._raw_info.parent_type.name, root.id))
