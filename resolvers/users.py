"""User resolvers."""

from __future__ import annotations

import uuid

from db.models import User
from resolvers.context import Context
from services import session_reads
from services.errors import Unauthenticated


async def me(ctx: Context) -> User | None:
    # no token: null; a token that was refused: say so, the client must refresh
    if ctx.auth_error:
        raise Unauthenticated(ctx.auth_error)
    return ctx.user


async def user_node(ctx: Context, user_id: uuid.UUID) -> User | None:
    ctx.require_user()
    return await session_reads.user_by_id(ctx, user_id)
