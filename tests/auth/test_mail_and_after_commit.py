"""The verification link without SMTP, and after-commit callbacks."""

from __future__ import annotations

import base64
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from db.queries.users import get_user_by_email
from resolvers.context import Context
from schema.extensions import run_after_commit
from services.mail import drain, render, send_verification
from settings import Settings
from tests.auth.conftest import Mailbox
from tests.conftest import GQL

PROD_KEY = base64.b64encode(b"k" * 32).decode()
SIGNUP = """
mutation($input: SignupInput!) { signup(input: $input) { user { id } } }
"""
SIGNUP_THEN_BAD_LOGIN = """
mutation($input: SignupInput!) {
  signup(input: $input) { user { id } }
  login(email: "nobody@example.com", password: "x") { accessToken }
}
"""


async def test_without_smtp_development_logs_the_link(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(environment="development", smtp_host=None)

    with caplog.at_level(logging.INFO, logger="therapybridge.mail"):
        await send_verification(settings, "user-1", "a@example.com", "Ada", "tok123")

    assert "http://localhost:3000/verify-email?token=tok123" in caplog.text
    assert "a@example.com" not in caplog.text


async def test_without_smtp_production_never_logs_the_link(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(
        environment="production",
        smtp_host=None,
        jwt_secret_key="p" * 40,
        phi_encryption_key=PROD_KEY,
    )

    with caplog.at_level(logging.DEBUG):
        await send_verification(settings, "user-1", "a@example.com", "Ada", "tok123")

    assert "tok123" not in caplog.text
    assert "not sent" in caplog.text


def test_templates_ship_as_package_data_and_escape_html() -> None:
    text, html = render("verify_email", first_name="<b>Eve</b>", link="L", hours=24)

    assert "Hello <b>Eve</b>" in text
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "24 hours" in text


async def test_rolled_back_mutation_drops_its_after_commit_mail(
    mail_gql: GQL, smtp: Mailbox, db: AsyncSession
) -> None:
    # one operation: the sign-up succeeds, the login fails, so the whole
    # mutation is rolled back and the sign-up's mail must not go out
    body = await mail_gql(SIGNUP_THEN_BAD_LOGIN, {"input": _input("gone@example.com")})
    await mail_gql(SIGNUP, {"input": _input("kept@example.com")})
    await smtp.wait_for("kept@example.com")
    await drain()

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert smtp.to("gone@example.com") == []
    assert await get_user_by_email(db, "gone@example.com") is None


async def test_failing_after_commit_callback_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ctx = Context(
        request=Request({"type": "http", "headers": []}),
        response=None,
        settings=Settings(environment="test"),
        session_factory=async_sessionmaker(),  # never opened here
        request_id="r1",
    )
    ran: list[str] = []

    async def boom() -> None:
        raise RuntimeError("secret patient detail")

    async def fine() -> None:
        ran.append("fine")

    ctx.after_commit(boom)
    ctx.after_commit(fine)
    await run_after_commit(ctx, committed=True)
    ctx.after_commit(fine)
    await run_after_commit(ctx, committed=False)

    assert ran == ["fine"]
    assert "RuntimeError" in caplog.text
    assert "secret patient detail" not in caplog.text


def _input(email: str) -> dict[str, str]:
    return {
        "email": email,
        "password": "Correct-Horse-Battery-9",
        "firstName": "A",
        "lastName": "B",
        "role": "PATIENT",
    }
