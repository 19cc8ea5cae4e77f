"""Access tokens that must be refused: UNAUTHENTICATED wherever a user is needed."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from resolvers.ids import encode_id
from services.tokens import decode_access_token
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_user, token_for

ME = "query { me { id } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


def _claims(settings: Settings, user: User, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user.id),
        "role": user.role.value,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _bad_token(kind: str, settings: Settings, user: User) -> str:
    secret = settings.jwt_secret
    if kind == "expired":
        past = datetime.now(UTC) - timedelta(hours=1)
        claims = _claims(settings, user, iat=past, exp=past + timedelta(minutes=1))
        return jwt.encode(claims, secret, algorithm="HS256")
    if kind == "wrong signature":
        return jwt.encode(_claims(settings, user), "another-secret-" * 4, "HS256")
    if kind == "alg none":
        header = _b64(b'{"alg":"none","typ":"JWT"}')
        payload = jwt.encode(_claims(settings, user), secret, "HS256").split(".")[1]
        return f"{header}.{payload}."
    if kind == "wrong audience":
        return jwt.encode(_claims(settings, user, aud="someone-else"), secret, "HS256")
    if kind == "wrong issuer":
        return jwt.encode(_claims(settings, user, iss="someone-else"), secret, "HS256")
    if kind == "no expiry":
        claims = _claims(settings, user)
        del claims["exp"]
        return jwt.encode(claims, secret, "HS256")
    if kind == "HS512":
        return jwt.encode(_claims(settings, user), secret, algorithm="HS512")
    assert kind == "malformed"
    return "not.a.jwt"


@pytest.mark.parametrize(
    "kind",
    [
        "expired",
        "wrong signature",
        "alg none",
        "wrong audience",
        "wrong issuer",
        "no expiry",
        "HS512",
        "malformed",
    ],
)
# the test secret is short for HS512, which is the point: it must be refused anyway
@pytest.mark.filterwarnings("ignore:The HMAC key")
async def test_refused_token_is_unauthenticated(
    gql: GQL, db: AsyncSession, settings: Settings, kind: str
) -> None:
    user = await create_user(db)
    token = _bad_token(kind, settings, user)

    me = await gql(ME, token=token)
    node = await gql(NODE, {"id": encode_id("User", user.id)}, token=token)

    assert error_codes(me) == ["UNAUTHENTICATED"]
    assert error_codes(node) == ["UNAUTHENTICATED"]


async def test_token_of_a_deactivated_user_is_unauthenticated(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    user = await create_user(db)
    token = token_for(settings, user)
    assert (await gql(ME, token=token))["data"]["me"]["id"]
    user.is_active = False
    await db.flush()

    body = await gql(ME, token=token)

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_valid_token_still_works(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    user = await create_user(db)

    body = await gql(ME, token=token_for(settings, user))

    assert body["data"]["me"]["id"] == encode_id("User", user.id)


async def test_an_accepted_token_is_refused_once_it_expires(
    gql: GQL, db: AsyncSession, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server remembers tokens it verified; expiry is still checked on
    every request."""
    user = await create_user(db)
    now = datetime.now(UTC)
    claims = _claims(settings, user, exp=now + timedelta(minutes=2))
    token = jwt.encode(claims, settings.jwt_secret, "HS256")
    assert (await gql(ME, token=token))["data"]["me"]["id"]
    assert (await gql(ME, token=token))["data"]["me"]["id"]

    later = (now + timedelta(minutes=3)).timestamp()
    monkeypatch.setattr("services.tokens._now", lambda: later)

    assert error_codes(await gql(ME, token=token)) == ["UNAUTHENTICATED"]
    # and a token verified under one secret is not taken under another
    monkeypatch.undo()
    other = settings.model_copy(update={"jwt_secret_key": "another-secret-" * 4})
    assert decode_access_token(settings, token).user_id == user.id
    with pytest.raises(Exception, match="Invalid or expired"):
        decode_access_token(other, token)
