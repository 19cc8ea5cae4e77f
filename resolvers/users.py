"""User resolvers."""

from __future__ import annotations

import uuid

from db.loaders import UserByIdLoader
from db.models import User
from resolvers.context import Context


async def me(ctx: Context) -> User | None:
    return ctx.user


async def user_node(ctx: Context, user_id: uuid.UUID) -> User | None:
    ctx.require_user()
    return await ctx.loader(UserByIdLoader).load(user_id)
