"""Authentication: who is calling, login, refresh-token rotation, logout."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.models import AuthSession, User
from db.queries.auth import (
    add_login_attempt,
    auth_session_by_hash,
    claim_refresh_token,
    revoke_family,
)
from db.queries.users import get_user, get_user_by_email
from services.accounts import hash_token
from services.errors import RateLimited, Unauthenticated
from services.passwords import dummy_verify, verify_password
from services.ratelimit import Limit, enforce_limits, subject_key
from services.tokens import create_access_token, decode_access_token
from settings import Settings

log = logging.getLogger("therapybridge.auth")

LOGIN_FAILED = "Invalid email or password"
REFRESH_FAILED = "Invalid or expired refresh token"


@dataclass(frozen=True)
class Client:
    """Where a request comes from, kept with refresh tokens and attempts."""

    ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class AuthTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


@dataclass(frozen=True)
class LoginResult:
    """``tokens`` on success; ``user_id`` when the address belongs to an account."""

    user_id: uuid.UUID | None
    tokens: AuthTokens | None


async def user_from_token(db: AsyncSession, settings: Settings, token: str) -> User:
    """The active user an access token names, or UNAUTHENTICATED."""
    claims = decode_access_token(settings, token)
    user = await get_user(db, claims.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("Invalid or expired token")
    return user


async def issue_tokens(
    db: AsyncSession,
    settings: Settings,
    user: User,
    client: Client,
    family_id: uuid.UUID | None = None,
) -> AuthTokens:
    """An access token and a new refresh token (stored as its SHA-256 only)."""
    refresh = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        AuthSession(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=hash_token(refresh),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_expire_days),
            user_agent=(client.user_agent or "")[:255] or None,
            ip_address=client.ip,
        )
    )
    await db.flush()
    return AuthTokens(
        access_token=create_access_token(settings, user.id, user.role),
        refresh_token=refresh,
        expires_in=settings.access_token_expire_minutes * 60,
        user=user,
    )


def login_limits(settings: Settings, email: str, ip: str | None) -> list[Limit]:
    per_minute = settings.login_rate_limit_per_minute
    return [
        Limit(f"login:ip:{ip or 'unknown'}", per_minute, 60),
        Limit(subject_key("login:email", email), per_minute, 60),
    ]


async def login(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    email: str,
    password: str,
    client: Client,
) -> LoginResult:
    """Check the credentials (rate limited); tokens, or a result without them."""
    address = email.strip().lower()
    try:
        await enforce_limits(
            session_factory, login_limits(settings, address, client.ip)
        )
    except RateLimited:
        await _record_attempt(session_factory, address, client.ip, succeeded=False)
        raise
    user = await get_user_by_email(db, address)
    new_hash = None
    if user is None:
        # argon2 takes ~64 MiB and tens of ms: off the event loop (argon2-cffi
        # releases the GIL), so one login does not stall every other request
        await asyncio.to_thread(dummy_verify, password)
        ok = False
    else:
        ok, new_hash = await asyncio.to_thread(
            verify_password, password, user.password_hash
        )
        ok = ok and user.is_active
    await _record_attempt(session_factory, address, client.ip, succeeded=ok)
    if user is None or not ok:
        return LoginResult(user_id=user.id if user else None, tokens=None)
    if new_hash:
        # a legacy (bcrypt) or weaker hash: replace it now that we know the password
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    tokens = await issue_tokens(db, settings, user, client)
    return LoginResult(user_id=user.id, tokens=tokens)


async def _record_attempt(
    session_factory: async_sessionmaker[AsyncSession],
    email: str,
    ip: str | None,
    succeeded: bool,
) -> None:
    # its own transaction: a failed login's request is rolled back, the record stays
    async with session_factory() as side:
        add_login_attempt(side, email[:320], ip, succeeded)
        await side.commit()


async def refresh(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    token: str,
    client: Client,
) -> AuthTokens:
    """Rotate a refresh token: single use; replaying a used one revokes its family."""
    now = utcnow()
    token_hash = hash_token(token)
    row = await claim_refresh_token(db, token_hash, now)
    if row is None:
        seen = await auth_session_by_hash(db, token_hash)
        if seen is not None and seen.used_at is not None and seen.revoked_at is None:
            # a used token presented again: stolen or replayed; end the whole
            # login session, in its own transaction since this request rolls back
            async with session_factory() as side:
                await revoke_family(side, seen.family_id, now)
                await side.commit()
            log.warning("refresh token reused: family %s revoked", seen.family_id)
        raise Unauthenticated(REFRESH_FAILED)
    user = await get_user(db, row.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated(REFRESH_FAILED)
    return await issue_tokens(db, settings, user, client, family_id=row.family_id)


async def logout(db: AsyncSession, token: str) -> None:
    """Revoke the refresh token's login session (all its rotations)."""
    row = await auth_session_by_hash(db, hash_token(token))
    if row is not None:
        await revoke_family(db, row.family_id, utcnow())
