"""Access tokens: HS256 JWTs with issuer, audience, subject, role and id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from db.enums import Role
from services.errors import Unauthenticated
from settings import Settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: Role
    jti: str


def create_access_token(settings: Settings, user_id: uuid.UUID, role: Role) -> str:
    """Sign a short-lived access token for a user."""
    now = datetime.now(UTC)
    payload = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "role": role.value,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.jwt_secret, algorithm=ALGORITHM)


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    """Verify signature (HS256 only), expiry, issuer and audience."""
    try:
        payload = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]},
        )
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            role=Role(payload["role"]),
            jti=str(payload["jti"]),
        )
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthenticated("Invalid or expired token") from None


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
