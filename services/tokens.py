"""Access tokens: HS256 JWTs with issuer, audience, subject, role and id."""

from __future__ import annotations

import time
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


# tokens whose signature, issuer and audience were verified, with their expiry:
# a client sends the same token with every request, and verifying it again
# costs more than the rest of a small request's authentication. Keyed by the
# verifying settings too (a new secret verifies nothing from before). Expiry is
# checked on every use.
_VERIFIED: dict[tuple[str, str, str, str], tuple[AccessClaims, float]] = {}
_VERIFIED_MAX = 4096
_now = time.time


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    """Verify signature (HS256 only), expiry, issuer and audience."""
    key = (token, settings.jwt_secret, settings.jwt_audience, settings.jwt_issuer)
    hit = _VERIFIED.get(key)
    if hit is not None:
        claims, expires = hit
        if _now() < expires:
            return claims
        _VERIFIED.pop(key, None)
        raise Unauthenticated("Invalid or expired token")
    claims, expires = _verify(settings, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (claims, expires)
    return claims


def _verify(settings: Settings, token: str) -> tuple[AccessClaims, float]:
    try:
        payload = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]},
        )
        claims = AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            role=Role(payload["role"]),
            jti=str(payload["jti"]),
        )
        return claims, float(payload["exp"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthenticated("Invalid or expired token") from None


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
