"""Refresh-token rotation, theft detection, logout; durability of failed attempts.

These run on ``committed``, a database where commits are real: the revocation
of a family and the counting of failed logins happen in their own transactions
precisely because the failing request itself is rolled back.
"""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import AuthSession, LoginAttempt
from services.accounts import hash_token
from tests.auth.conftest import fresh_window
from tests.conftest import GQL, error_codes
from tests.factories import DEFAULT_PASSWORD, create_user

LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken }
}
"""
REFRESH = """
mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }
"""
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"
ME = "query { me { email } }"

_n = itertools.count(1)


async def _user_and_tokens(
    committed: GQL, factory: async_sessionmaker[AsyncSession]
) -> tuple[str, dict[str, str]]:
    email = f"rot{next(_n)}-{uuid.uuid4().hex[:6]}@example.com"
    async with factory() as db:
        await create_user(db, email=email)
        await db.commit()
    body = await committed(LOGIN, {"email": email, "password": DEFAULT_PASSWORD})
    return email, body["data"]["login"]


async def test_refresh_rotates_and_each_token_works_once(
    committed: GQL, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, first = await _user_and_tokens(committed, committed_factory)

    second = (await committed(REFRESH, {"t": first["refreshToken"]}))["data"]
    third = await committed(REFRESH, {"t": second["refreshToken"]["refreshToken"]})

    assert second["refreshToken"]["refreshToken"] != first["refreshToken"]
    assert (await committed(ME, token=second["refreshToken"]["accessToken"]))["data"]
    assert "errors" not in third


async def test_replaying_a_used_refresh_token_revokes_the_whole_family(
    committed: GQL, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, first = await _user_and_tokens(committed, committed_factory)
    rotated = (await committed(REFRESH, {"t": first["refreshToken"]}))["data"]
    newest = rotated["refreshToken"]["refreshToken"]

    replay = await committed(REFRESH, {"t": first["refreshToken"]})
    after_theft = await committed(REFRESH, {"t": newest})

    assert error_codes(replay) == ["UNAUTHENTICATED"]
    assert error_codes(after_theft) == ["UNAUTHENTICATED"]
    async with committed_factory() as db:
        row = await db.scalar(
            select(AuthSession).where(AuthSession.token_hash == hash_token(newest))
        )
        assert row is not None
        assert row.revoked_at is not None


async def test_logout_revokes_the_refresh_token(
    committed: GQL, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, tokens = await _user_and_tokens(committed, committed_factory)

    out = await committed(LOGOUT, {"t": tokens["refreshToken"]})
    refresh = await committed(REFRESH, {"t": tokens["refreshToken"]})

    assert out["data"] == {"logout": True}
    assert "errors" not in out
    assert error_codes(refresh) == ["UNAUTHENTICATED"]


async def test_unknown_refresh_token_is_unauthenticated(committed: GQL) -> None:
    body = await committed(REFRESH, {"t": "made-up-token"})

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_refresh_of_a_deactivated_user_is_unauthenticated(
    committed: GQL, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    email, tokens = await _user_and_tokens(committed, committed_factory)
    async with committed_factory() as db:
        user = await db.scalar(
            select(AuthSession).where(
                AuthSession.token_hash == hash_token(tokens["refreshToken"])
            )
        )
        assert user is not None
        from db.models import User

        row = await db.get(User, user.user_id)
        assert row is not None
        assert row.email == email
        row.is_active = False
        await db.commit()

    body = await committed(REFRESH, {"t": tokens["refreshToken"]})

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_refresh_tokens_are_stored_only_as_hashes(
    committed: GQL, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, tokens = await _user_and_tokens(committed, committed_factory)

    async with committed_factory() as db:
        stored = list(await db.scalars(select(AuthSession.token_hash)))

    assert tokens["refreshToken"] not in stored
    assert hash_token(tokens["refreshToken"]) in stored


async def test_failed_logins_are_counted_and_recorded_though_rolled_back(
    committed: GQL, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    email = f"count-{uuid.uuid4().hex[:8]}@example.com"
    attempt = {"email": email, "password": "Wrong-Password-1!"}
    await fresh_window()

    answers = [await committed(LOGIN, attempt) for _ in range(6)]

    assert [error_codes(a)[0] for a in answers] == ["UNAUTHENTICATED"] * 5 + [
        "RATE_LIMITED"
    ]
    async with committed_factory() as db:
        recorded = await db.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
        )
    assert recorded == 6
