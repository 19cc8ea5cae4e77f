"""The User type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from db import models
from db.enums import Role
from resolvers.context import Context
from resolvers.users import user_node
from schema.node import Node, register_node


@strawberry.type(name="User")
class UserType(Node):
    email: str
    first_name: str
    last_name: str
    role: Role
    is_verified: bool
    created_at: datetime

    @strawberry.field
    @staticmethod
    def full_name(root: strawberry.Parent[models.User]) -> str:
        return root.full_name

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.User | cls)


async def _resolve(info: Info[Context, None], value: Any) -> Any:
    return await user_node(info.context, value)


register_node("User", _resolve, models.User)
