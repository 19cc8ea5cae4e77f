"""Accounts: registration and its validation, email verification, deactivation."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role
from db.models import EmailVerificationToken, User
from db.queries.auth import (
    expire_verification_tokens,
    revoke_user_sessions,
    verification_token_by_hash,
)
from db.queries.users import get_user, get_user_by_email
from services.errors import BadInput, Conflict, NotFound
from services.passwords import check_password_policy, hash_password
from settings import Settings

SIGNUP_ROLES = (Role.THERAPIST, Role.PATIENT)
MAX_NAME = 100


@dataclass(frozen=True)
class NewUser:
    email: str
    password: str
    first_name: str
    last_name: str
    role: Role


def hash_token(token: str) -> str:
    """SHA-256 hex of a random token: what the database keeps instead of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str, field: str = "email") -> str:
    """The validated address, lower-cased (addresses are unique regardless of case)."""
    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise BadInput(field, "Enter a valid email address") from None
    return valid.normalized.lower()


def _name(value: str, field: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= MAX_NAME:
        raise BadInput(field, f"Must be between 1 and {MAX_NAME} characters")
    return value


def check_new_user(data: NewUser) -> tuple[str, str, str]:
    """The normalised email, first and last name; BAD_USER_INPUT naming the
    field at fault (the password policy included)."""
    email = normalize_email(data.email)
    check_password_policy(data.password)
    return email, _name(data.first_name, "firstName"), _name(data.last_name, "lastName")


async def register_user(
    db: AsyncSession,
    data: NewUser,
    *,
    practice_id: uuid.UUID,
    verified: bool = False,
    practice_admin: bool = False,
) -> User:
    """Validate every field, then add the user to the practice (flushed);
    CONFLICT on a taken email."""
    email, first, last = check_new_user(data)
    if await get_user_by_email(db, email) is not None:
        raise Conflict("An account with this email already exists", field="email")
    # argon2 off the event loop (see services/auth.py login)
    password_hash = await asyncio.to_thread(hash_password, data.password)
    user = User(
        practice_id=practice_id,
        is_practice_admin=practice_admin,
        email=email,
        password_hash=password_hash,
        first_name=first,
        last_name=last,
        role=data.role,
        is_verified=verified,
        is_active=True,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:
        # a concurrent sign-up with the same address won the race
        raise Conflict(
            "An account with this email already exists", field="email"
        ) from None
    return user


def check_signup_role(role: Role) -> None:
    if role not in SIGNUP_ROLES:
        raise BadInput("role", "Sign-up is for THERAPIST and PATIENT accounts only")


async def create_verification_token(
    db: AsyncSession, settings: Settings, user: User
) -> str:
    """A new single-use verification token (older unused ones stop working)."""
    now = utcnow()
    await expire_verification_tokens(db, user.id, now)
    token = secrets.token_urlsafe(32)
    db.add(
        EmailVerificationToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(hours=settings.email_verification_expire_hours),
        )
    )
    await db.flush()
    return token


async def verify_email(db: AsyncSession, token: str) -> User:
    """Mark the token's user verified; the token cannot be used again."""
    row = await verification_token_by_hash(db, hash_token(token))
    now = utcnow()
    user = None if row is None else await get_user(db, row.user_id)
    if row is None or row.used_at or row.expires_at <= now or user is None:
        raise BadInput("token", "This verification link is invalid or has expired")
    row.used_at = now
    user.is_verified = True
    await db.flush()
    return user


async def unverified_user(db: AsyncSession, email: str) -> User | None:
    """The active, not yet verified user of an address, if there is one."""
    try:
        address = normalize_email(email)
    except BadInput:
        return None
    user = await get_user_by_email(db, address)
    if user is None or user.is_verified or not user.is_active:
        return None
    return user


async def deactivate_user(db: AsyncSession, admin: User, user_id: uuid.UUID) -> User:
    """Deactivate an account of the admin's practice: no login, its access and
    refresh tokens stop working. Another practice's account is NOT_FOUND."""
    user = await get_user(db, user_id)
    if user is None or user.practice_id != admin.practice_id:
        raise NotFound("User")
    if user.id == admin.id:
        raise BadInput("userId", "You cannot deactivate your own account")
    user.is_active = False
    await revoke_user_sessions(db, user.id, utcnow())
    await db.flush()
    return user
