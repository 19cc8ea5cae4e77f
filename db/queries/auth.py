"""Refresh-token sessions, email verification tokens, login attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuthSession, EmailVerificationToken, LoginAttempt


async def auth_session_by_hash(db: AsyncSession, token_hash: str) -> AuthSession | None:
    """The refresh-token row, not locked (see ``claim_refresh_token``)."""
    stmt = select(AuthSession).where(AuthSession.token_hash == token_hash)
    return (await db.execute(stmt)).scalar_one_or_none()


async def claim_refresh_token(
    db: AsyncSession, token_hash: str, now: datetime
) -> AuthSession | None:
    """Mark a usable refresh token used and return it; None if it is not usable.

    One conditional UPDATE, so of two concurrent refreshes with the same token
    exactly one wins; rows it does not match are left unlocked, so the caller
    may revoke their family from another transaction without waiting on itself.
    """
    stmt = (
        update(AuthSession)
        .where(
            AuthSession.token_hash == token_hash,
            AuthSession.used_at.is_(None),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        .values(used_at=now)
        .returning(AuthSession)
    )
    result = await db.execute(stmt, execution_options={"synchronize_session": False})
    return result.scalar_one_or_none()


async def revoke_family(db: AsyncSession, family_id: uuid.UUID, at: datetime) -> None:
    await db.execute(
        update(AuthSession)
        .where(AuthSession.family_id == family_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_user_sessions(
    db: AsyncSession, user_id: uuid.UUID, at: datetime
) -> None:
    await db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def verification_token_by_hash(
    db: AsyncSession, token_hash: str
) -> EmailVerificationToken | None:
    stmt = (
        select(EmailVerificationToken)
        .where(EmailVerificationToken.token_hash == token_hash)
        .with_for_update()
    )
    return (await db.execute(stmt)).scalar_one_or_none()


async def expire_verification_tokens(
    db: AsyncSession, user_id: uuid.UUID, at: datetime
) -> None:
    """Mark a user's unused tokens used, so only the newest link works."""
    await db.execute(
        update(EmailVerificationToken)
        .where(
            EmailVerificationToken.user_id == user_id,
            EmailVerificationToken.used_at.is_(None),
        )
        .values(used_at=at)
    )


def add_login_attempt(
    db: AsyncSession, email: str, ip_address: str | None, succeeded: bool
) -> None:
    db.add(LoginAttempt(email=email, ip_address=ip_address, succeeded=succeeded))
