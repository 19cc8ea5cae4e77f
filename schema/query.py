"""Root query fields shared by every part of the graph."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry.types import Info

from resolvers import users
from resolvers.context import Context
from resolvers.ids import parse_id
from schema.node import NODE_RESOLVERS, NodeRow
from schema.types.user import UserRow
from services.errors import BadInput

MAX_NODES = 100


async def _node(info: Info[Context, None], global_id: str) -> NodeRow | None:
    info.context.require_user()
    type_name, value = parse_id(global_id)
    resolver = NODE_RESOLVERS.get(type_name)
    return None if resolver is None else await resolver(info, value)


@strawberry.type
class CoreQuery:
    @strawberry.field(description="The signed-in user, or null.")
    async def me(self, info: Info[Context, None]) -> UserRow | None:
        return await users.me(info.context)

    @strawberry.field(description="Any object the caller may see, by global ID.")
    async def node(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> NodeRow | None:
        return await _node(info, id)

    @strawberry.field(description="Several objects by global ID, in order.")
    async def nodes(
        self, info: Info[Context, None], ids: list[strawberry.ID]
    ) -> list[NodeRow | None]:
        if len(ids) > MAX_NODES:
            raise BadInput("ids", f"At most {MAX_NODES} IDs at once")
        return list(await asyncio.gather(*(_node(info, i) for i in ids)))
