"""The User type."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import strawberry
from strawberry.types import Info

from db import models
from db.enums import Role
from resolvers.context import Context
from resolvers.practices import practice_of_user
from resolvers.users import user_node
from schema.node import Node, register_node
from services.errors import NotFound

if TYPE_CHECKING:
    from schema.types.practice import PracticeRow

PracticeRef = Annotated["PracticeRow", strawberry.lazy("schema.types.practice")]


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

    @strawberry.field(
        description="Administers its practice: every ADMIN, and a THERAPIST "
        "who founded the practice (or was made its administrator)."
    )
    @staticmethod
    def is_practice_admin(root: strawberry.Parent[models.User]) -> bool:
        return root.administers_practice

    @strawberry.field(description="The practice (workspace) of the account.")
    @staticmethod
    async def practice(
        root: strawberry.Parent[models.User], info: Info[Context, None]
    ) -> PracticeRef:
        found = await practice_of_user(info.context, root)
        if found is None:  # every readable user is of the caller's practice
            raise NotFound("Practice")
        return found

    @classmethod
    def is_type_of(cls, obj: Any, info: Info[Context, None]) -> bool:
        return isinstance(obj, models.User | cls)


if TYPE_CHECKING:  # the row a User is read from (schema/rows.py)
    UserRow: TypeAlias = models.User
else:
    UserRow = UserType


async def _resolve(info: Info[Context, None], value: Any) -> Any:
    return await user_node(info.context, value)


register_node("User", _resolve, models.User)
