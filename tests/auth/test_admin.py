"""Admins: createUser, deactivateUser, and `therapybridge create-admin`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import User
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_user, token_for
from tests.pg import PgServer

CREATE_USER = """
mutation($input: CreateUserInput!) { createUser(input: $input) { id email role } }
"""
DEACTIVATE = "mutation($id: ID!) { deactivateUser(userId: $id) { id } }"
ME = "query { me { id } }"
EXE = str(Path(sys.executable).with_name("therapybridge"))


def _input(email: str, role: str = "ADMIN") -> dict[str, str]:
    return {
        "email": email,
        "password": "Admin-Password-77!",
        "firstName": "Grace",
        "lastName": "Hopper",
        "role": role,
    }


async def test_admin_creates_another_admin(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(db, role=Role.ADMIN)

    body = await gql(
        CREATE_USER,
        {"input": _input("second.admin@example.com")},
        token=token_for(settings, admin),
    )

    assert body["data"]["createUser"]["role"] == "ADMIN"
    created = await db.scalar(
        select(User).where(User.email == "second.admin@example.com")
    )
    assert created is not None
    assert created.role is Role.ADMIN


async def test_therapist_cannot_create_users(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    therapist = await create_user(db)

    body = await gql(
        CREATE_USER,
        {"input": _input("sneaky@example.com")},
        token=token_for(settings, therapist),
    )
    anonymous = await gql(CREATE_USER, {"input": _input("anon@example.com")})

    assert error_codes(body) == ["FORBIDDEN"]
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_deactivated_users_token_stops_working(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(db, role=Role.ADMIN)
    therapist = await create_user(db)
    victim_token = token_for(settings, therapist)
    assert (await gql(ME, token=victim_token))["data"]["me"]

    body = await gql(
        DEACTIVATE,
        {"id": encode_id("User", therapist.id)},
        token=token_for(settings, admin),
    )

    assert body["data"]["deactivateUser"]["id"] == encode_id("User", therapist.id)
    assert error_codes(await gql(ME, token=victim_token)) == ["UNAUTHENTICATED"]


async def test_only_admins_deactivate_and_not_themselves(
    gql: GQL, db: AsyncSession, settings: Settings
) -> None:
    admin = await create_user(db, role=Role.ADMIN)
    therapist = await create_user(db)

    by_therapist = await gql(
        DEACTIVATE,
        {"id": encode_id("User", admin.id)},
        token=token_for(settings, therapist),
    )
    self_service = await gql(
        DEACTIVATE,
        {"id": encode_id("User", admin.id)},
        token=token_for(settings, admin),
    )

    assert error_codes(by_therapist) == ["FORBIDDEN"]
    assert error_codes(self_service) == ["BAD_USER_INPUT"]
    assert self_service["errors"][0]["extensions"]["field"] == "userId"


def _create_admin(
    url: str, email: str, password: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            EXE,
            "create-admin",
            "--email",
            email,
            "--first-name",
            "Root",
            "--last-name",
            "Admin",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "TB_ADMIN_PASSWORD": password},
        timeout=120,
    )


def test_create_admin_command_creates_a_verified_admin(pg: PgServer) -> None:
    import psycopg

    from db.engine import to_libpq_url

    url = pg.create_database("tb_cli")

    done = _create_admin(url, "Root@Example.com", "Admin-Password-77!")
    weak = _create_admin(url, "other@example.com", "weak")

    assert done.returncode == 0, done.stderr
    assert "admin created" in done.stdout
    assert weak.returncode == 2
    assert "password" in weak.stderr
    with psycopg.connect(to_libpq_url(url)) as conn:
        rows = conn.execute("SELECT email, role, is_verified FROM users").fetchall()
    assert rows == [("root@example.com", "ADMIN", True)]
