"""Login: credentials, legacy hashes, deactivation, rate limits, audit."""

from __future__ import annotations

import bcrypt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent
from tests.auth.conftest import fresh_window
from tests.conftest import GQL, error_codes
from tests.factories import DEFAULT_PASSWORD, create_user

LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken expiresIn user { id email }
  }
}
"""
ME = "query { me { email } }"


async def test_login_returns_tokens_that_authenticate(
    mail_gql: GQL, db: AsyncSession
) -> None:
    user = await create_user(db, email="login@example.com")

    body = await mail_gql(
        LOGIN, {"email": "LOGIN@example.com", "password": DEFAULT_PASSWORD}
    )
    token = body["data"]["login"]["accessToken"]

    assert body["data"]["login"]["user"]["email"] == user.email
    assert (await mail_gql(ME, token=token))["data"]["me"]["email"] == user.email
    await db.refresh(user)
    assert user.last_login_at is not None


async def test_unknown_email_and_wrong_password_fail_alike(
    mail_gql: GQL, db: AsyncSession
) -> None:
    await create_user(db, email="known@example.com")

    wrong = await mail_gql(LOGIN, {"email": "known@example.com", "password": "Nope"})
    unknown = await mail_gql(
        LOGIN, {"email": "unknown@example.com", "password": DEFAULT_PASSWORD}
    )

    assert error_codes(wrong) == error_codes(unknown) == ["UNAUTHENTICATED"]
    assert wrong["errors"][0]["message"] == unknown["errors"][0]["message"]
    assert wrong["data"] is None
    assert unknown["data"] is None


async def test_deactivated_user_cannot_log_in(mail_gql: GQL, db: AsyncSession) -> None:
    await create_user(db, email="gone@example.com", is_active=False)

    body = await mail_gql(
        LOGIN, {"email": "gone@example.com", "password": DEFAULT_PASSWORD}
    )

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_legacy_bcrypt_hash_logs_in_and_is_rehashed_with_argon2id(
    mail_gql: GQL, db: AsyncSession
) -> None:
    legacy = bcrypt.hashpw(DEFAULT_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    user = await create_user(db, email="legacy@example.com", password_hash=legacy)

    body = await mail_gql(
        LOGIN, {"email": "legacy@example.com", "password": DEFAULT_PASSWORD}
    )
    await db.refresh(user)
    again = await mail_gql(
        LOGIN, {"email": "legacy@example.com", "password": DEFAULT_PASSWORD}
    )

    assert body["data"]["login"]["accessToken"]
    assert legacy.startswith("$2b$")
    assert user.password_hash.startswith("$argon2id$")
    assert again["data"]["login"]["accessToken"]


async def test_wrong_password_keeps_a_legacy_hash(
    mail_gql: GQL, db: AsyncSession
) -> None:
    legacy = bcrypt.hashpw(DEFAULT_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    user = await create_user(db, email="legacy2@example.com", password_hash=legacy)

    await mail_gql(LOGIN, {"email": "legacy2@example.com", "password": "Wrong-1!"})
    await db.refresh(user)

    assert user.password_hash == legacy


async def test_sixth_login_per_email_in_a_minute_is_rate_limited_from_any_ip(
    mail_gql: GQL, other_gql: GQL, db: AsyncSession
) -> None:
    await create_user(db, email="brute@example.com")
    await fresh_window()
    attempt = {"email": "brute@example.com", "password": "Guess-123456!"}

    answers = [await mail_gql(LOGIN, attempt) for _ in range(5)]
    sixth = await other_gql(
        LOGIN, {"email": "Brute@example.com", "password": DEFAULT_PASSWORD}
    )

    assert [error_codes(a) for a in answers] == [["UNAUTHENTICATED"]] * 5
    assert error_codes(sixth) == ["RATE_LIMITED"]
    assert 0 < sixth["errors"][0]["extensions"]["retryAfter"] <= 60


async def test_rate_limit_per_ip_spans_different_emails(mail_gql: GQL) -> None:
    await fresh_window()
    answers = [
        await mail_gql(LOGIN, {"email": f"n{n}@example.com", "password": "x"})
        for n in range(6)
    ]

    assert error_codes(answers[4]) == ["UNAUTHENTICATED"]
    assert error_codes(answers[5]) == ["RATE_LIMITED"]


async def test_logins_are_audited_without_the_email(
    mail_gql: GQL, db: AsyncSession
) -> None:
    user = await create_user(db, email="audited@example.com")

    await mail_gql(LOGIN, {"email": "audited@example.com", "password": "Bad-1!"})
    await mail_gql(LOGIN, {"email": "ghost@example.com", "password": "Bad-1!"})
    await mail_gql(
        LOGIN, {"email": "audited@example.com", "password": DEFAULT_PASSWORD}
    )
    events = list(
        await db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["LOGIN", "LOGIN_FAILED"]))
            .order_by(AuditEvent.at)
        )
    )

    assert [(e.action, e.actor_id, e.entity_id) for e in events] == [
        ("LOGIN_FAILED", None, user.id),
        ("LOGIN_FAILED", None, None),
        ("LOGIN", user.id, user.id),
    ]
    assert all("@" not in f for e in events for f in e.fields)
    assert all(e.request_id for e in events)
