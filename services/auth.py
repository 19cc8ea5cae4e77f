"""Authentication: who is calling."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from db.queries.users import get_user
from services.errors import Unauthenticated
from services.tokens import decode_access_token
from settings import Settings


async def user_from_token(
    session: AsyncSession, settings: Settings, token: str
) -> User:
    """The active user an access token names, or UNAUTHENTICATED."""
    claims = decode_access_token(settings, token)
    user = await get_user(session, claims.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("Invalid or expired token")
    return user
