"""Sign-up, its validation, the verification mail and verifyEmail."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import EmailVerificationToken, User
from tests.auth.conftest import Mailbox, body_of, fresh_window, token_in
from tests.conftest import GQL, error_codes

SIGNUP = """
mutation($input: SignupInput!) {
  signup(input: $input) {
    accessToken refreshToken expiresIn
    user { id email firstName lastName role isVerified }
  }
}
"""
ME = "query { me { email isVerified } }"
VERIFY = "mutation($t: String!) { verifyEmail(token: $t) { email isVerified } }"
RESEND = "mutation($e: String!) { resendVerification(email: $e) }"
GOOD_PASSWORD = "Correct-Horse-Battery-9"


def signup_input(**overrides: Any) -> dict[str, Any]:
    values = {
        "email": "Ada.Lovelace@Example.com",
        "password": GOOD_PASSWORD,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "role": "THERAPIST",
    }
    values.update(overrides)
    return values


async def _users(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)


async def test_signup_returns_tokens_and_mails_a_link_that_verifies(
    mail_gql: GQL, smtp: Mailbox
) -> None:
    body = await mail_gql(SIGNUP, {"input": signup_input()})

    payload = body["data"]["signup"]
    assert payload["user"]["email"] == "ada.lovelace@example.com"
    assert payload["user"]["role"] == "THERAPIST"
    assert payload["user"]["isVerified"] is False
    assert payload["expiresIn"] == 30 * 60
    assert len(payload["refreshToken"]) >= 40
    message = await smtp.wait_for("ada.lovelace@example.com")
    assert "https://app.example.com/verify-email?token=" in body_of(message)
    assert "https://app.example.com/verify-email?token=" in body_of(message, "html")

    verified = await mail_gql(VERIFY, {"t": token_in(message)})
    again = await mail_gql(VERIFY, {"t": token_in(message)})
    me = await mail_gql(ME, token=payload["accessToken"])

    assert verified["data"]["verifyEmail"]["isVerified"] is True
    assert error_codes(again) == ["BAD_USER_INPUT"]
    assert again["errors"][0]["extensions"]["field"] == "token"
    assert me["data"]["me"] == {"email": "ada.lovelace@example.com", "isVerified": True}


async def test_verification_token_is_stored_only_as_a_hash(
    mail_gql: GQL, smtp: Mailbox, db: AsyncSession
) -> None:
    await mail_gql(SIGNUP, {"input": signup_input(email="hash@example.com")})
    token = token_in(await smtp.wait_for("hash@example.com"))

    stored = list(await db.scalars(select(EmailVerificationToken.token_hash)))

    assert stored
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


async def test_expired_verification_token_is_refused(
    mail_gql: GQL, smtp: Mailbox, db: AsyncSession
) -> None:
    await mail_gql(SIGNUP, {"input": signup_input(email="late@example.com")})
    token = token_in(await smtp.wait_for("late@example.com"))
    row = (await db.scalars(select(EmailVerificationToken))).one()
    row.expires_at = row.created_at
    await db.flush()

    body = await mail_gql(VERIFY, {"t": token})

    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "Short-1!"}, "password"),
        ({"password": "no-upper-case-123!"}, "password"),
        ({"password": "NO-LOWER-CASE-123!"}, "password"),
        ({"password": "No-Digits-At-All!"}, "password"),
        ({"password": "NoSpecialChars123"}, "password"),
        ({"firstName": "  "}, "firstName"),
        ({"lastName": "x" * 101}, "lastName"),
        ({"role": "ADMIN"}, "role"),
    ],
)
async def test_invalid_signup_names_the_field_and_writes_nothing(
    mail_gql: GQL, db: AsyncSession, overrides: dict[str, Any], field: str
) -> None:
    before = await _users(db)

    body = await mail_gql(SIGNUP, {"input": signup_input(**overrides)})

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field
    assert await _users(db) == before


async def test_email_is_unique_regardless_of_case(mail_gql: GQL) -> None:
    await mail_gql(SIGNUP, {"input": signup_input(email="dup@example.com")})

    body = await mail_gql(SIGNUP, {"input": signup_input(email="DUP@Example.COM")})

    assert error_codes(body) == ["CONFLICT"]
    assert body["errors"][0]["extensions"]["field"] == "email"


async def test_failed_signup_sends_no_mail(mail_gql: GQL, smtp: Mailbox) -> None:
    await mail_gql(
        SIGNUP, {"input": signup_input(email="nomail@example.com", lastName="")}
    )

    assert smtp.to("nomail@example.com") == []


async def test_fourth_signup_from_one_ip_within_an_hour_is_rate_limited(
    mail_gql: GQL,
) -> None:
    await fresh_window(3600, margin=60)
    for n in range(3):
        ok = await mail_gql(SIGNUP, {"input": signup_input(email=f"r{n}@example.com")})
        assert "errors" not in ok

    body = await mail_gql(SIGNUP, {"input": signup_input(email="r4@example.com")})

    assert error_codes(body) == ["RATE_LIMITED"]
    assert 0 < body["errors"][0]["extensions"]["retryAfter"] <= 3600


async def test_resend_verification_answers_true_and_mails_only_real_accounts(
    mail_gql: GQL, smtp: Mailbox
) -> None:
    await mail_gql(SIGNUP, {"input": signup_input(email="again@example.com")})
    first = token_in(await smtp.wait_for("again@example.com"))

    known = await mail_gql(RESEND, {"e": "Again@example.com"})
    unknown = await mail_gql(RESEND, {"e": "nobody@example.com"})
    await _wait_for_count(smtp, "again@example.com", 2)
    second = token_in(smtp.to("again@example.com")[1])

    assert known["data"] == unknown["data"] == {"resendVerification": True}
    assert "errors" not in known
    assert "errors" not in unknown
    assert smtp.to("nobody@example.com") == []
    assert error_codes(await mail_gql(VERIFY, {"t": first})) == ["BAD_USER_INPUT"]
    assert (await mail_gql(VERIFY, {"t": second}))["data"]["verifyEmail"]


async def test_resend_verification_is_rate_limited_per_address(mail_gql: GQL) -> None:
    await fresh_window(3600, margin=60)
    answers = [await mail_gql(RESEND, {"e": "x@example.com"}) for _ in range(4)]

    assert [error_codes(a) for a in answers] == [[], [], [], ["RATE_LIMITED"]]


async def _wait_for_count(smtp: Mailbox, to: str, n: int) -> None:
    import asyncio

    for _ in range(200):
        if len(smtp.to(to)) >= n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {n} mails to {to}")
