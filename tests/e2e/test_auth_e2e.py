"""Authentication over HTTP against real `therapybridge serve` processes."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import ServerProcess
from tests.pg import PgServer

pytestmark = pytest.mark.e2e

SIGNUP = """
mutation($input: SignupInput!) {
  signup(input: $input) { accessToken refreshToken user { id email role } }
}
"""
LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken }
}
"""
REFRESH = """
mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }
"""
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) }"
VERIFY = "mutation($t: String!) { verifyEmail(token: $t) { isVerified } }"
ME = "query { me { email role isVerified } }"
PASSWORD = "Correct-Horse-Battery-9"


def call(
    server: ServerProcess, query: str, variables: dict[str, Any], token: str = ""
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def signup(server: ServerProcess, email: str, role: str) -> dict[str, Any]:
    body = call(
        server,
        SIGNUP,
        {
            "input": {
                "email": email,
                "password": PASSWORD,
                "firstName": "E2E",
                "lastName": role.title(),
                "role": role,
            }
        },
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["signup"]
    return payload


def logged_link_token(server: ServerProcess, timeout: float = 10) -> str:
    """The verification token the development server logged (no SMTP set)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.findall(r"verify-email\?token=([A-Za-z0-9_\-]+)", server.output())
        if found:
            return str(found[-1])
        time.sleep(0.1)
    raise AssertionError("no verification link logged")


def test_signup_rotate_replay_and_logout(live_server: ServerProcess) -> None:
    if (left := 3600 - time.time() % 3600) < 60:
        time.sleep(left + 0.1)  # the four sign-ups must share one hourly window
    a = signup(live_server, "therapist.a@example.com", "THERAPIST")
    token = logged_link_token(live_server)
    b = signup(live_server, "therapist.b@example.com", "THERAPIST")
    patient = signup(live_server, "patient@example.com", "PATIENT")

    verified = call(live_server, VERIFY, {"t": token})
    me_a = call(live_server, ME, {}, a["accessToken"])
    rotated = call(live_server, REFRESH, {"t": a["refreshToken"]})["data"]
    newest = rotated["refreshToken"]
    replay = call(live_server, REFRESH, {"t": a["refreshToken"]})
    after_replay = call(live_server, REFRESH, {"t": newest["refreshToken"]})
    b_rotated = call(live_server, REFRESH, {"t": b["refreshToken"]})["data"]
    out = call(live_server, LOGOUT, {"t": b_rotated["refreshToken"]["refreshToken"]})
    after_logout = call(
        live_server, REFRESH, {"t": b_rotated["refreshToken"]["refreshToken"]}
    )
    fourth = call(
        live_server,
        SIGNUP,
        {
            "input": {
                "email": "fourth@example.com",
                "password": PASSWORD,
                "firstName": "F",
                "lastName": "F",
                "role": "PATIENT",
            }
        },
    )

    assert verified["data"] == {"verifyEmail": {"isVerified": True}}
    assert "errors" not in verified
    assert me_a["data"]["me"] == {
        "email": "therapist.a@example.com",
        "role": "THERAPIST",
        "isVerified": True,
    }
    assert patient["user"]["role"] == "PATIENT"
    assert call(live_server, ME, {}, newest["accessToken"])["data"]["me"]
    assert codes(replay) == ["UNAUTHENTICATED"]
    assert codes(after_replay) == ["UNAUTHENTICATED"]  # the family is revoked
    assert out["data"] == {"logout": True}
    assert "errors" not in out
    assert codes(after_logout) == ["UNAUTHENTICATED"]
    assert codes(fourth) == ["RATE_LIMITED"]  # 3 sign-ups per hour per IP
    assert "therapist.a@example.com" not in live_server.output()


def test_brute_force_is_rate_limited_across_two_server_processes(
    pg: PgServer, tmp_path: Path
) -> None:
    url = pg.create_database("tb_e2e_rl")
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "ENVIRONMENT": "development"}
    first = ServerProcess("serve", "--no-worker", env=env).start()
    second = ServerProcess("serve", "--no-worker", env=env).start()
    try:
        first.wait_healthy()
        second.wait_healthy()
        signup(first, "victim@example.com", "THERAPIST")
        # a burst split by the minute boundary would count in two windows
        if (left := 60 - time.time() % 60) < 20:
            time.sleep(left + 0.1)
        guesses = [
            call(
                server,
                LOGIN,
                {"email": "victim@example.com", "password": f"Guess-{n}-Aa!"},
            )
            for n, server in enumerate([first, second, first, second, first])
        ]
        sixth = call(
            second, LOGIN, {"email": "victim@example.com", "password": PASSWORD}
        )
    finally:
        first.stop()
        second.stop()

    assert [codes(g) for g in guesses] == [["UNAUTHENTICATED"]] * 5
    assert codes(sixth) == ["RATE_LIMITED"]
    assert 0 < sixth["errors"][0]["extensions"]["retryAfter"] <= 60
