"""The commands that write application data from the operator's shell:
``seed-demo`` (a demo practice, once), ``create-admin`` (an ADMIN account,
optionally in a new practice) and ``aggregate`` (the analytics rows of closed
days and weeks, a backfill)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from cli.registry import command, in_one_session, iso_date
from settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def add_seed_parsers(sub: Any) -> None:
    sub.add_parser("seed-demo", help="create a demo therapist and practice (once)")
    aggregate = sub.add_parser(
        "aggregate", help="store analytics rows of closed days and weeks (backfill)"
    )
    aggregate.add_argument(
        "--since",
        type=iso_date,
        default=None,
        help="first local day (YYYY-MM-DD); default: the first session",
    )


def add_create_admin_parser(sub: Any) -> None:
    p = sub.add_parser(
        "create-admin",
        help="create an ADMIN account (password from TB_ADMIN_PASSWORD or a prompt)",
    )
    p.add_argument("--email", required=True)
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument(
        "--practice-name",
        default=None,
        help="create a new practice of this name for the admin "
        "(default: the admin joins the Default practice)",
    )


@command("seed-demo")
def seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded

    try:
        url = resolve_database_url()
        run_migrations(url)
        result = asyncio.run(_seed_demo(settings, url))
    finally:
        stop_embedded()
    if result.created:
        sys.stdout.write(
            f"Demo practice created: {result.patients} patients, "
            f"{result.past_sessions} past sessions, "
            f"{result.upcoming_sessions} upcoming.\n"
        )
    else:
        sys.stdout.write("Demo practice already exists; nothing added.\n")
    sys.stdout.write(f"Sign in as {result.email} / {result.password}\n")
    return 0


async def _seed_demo(settings: Settings, url: str) -> Any:
    from passlib.hash import argon2

    from services.demo import DEMO_PASSWORD, seed_demo

    password_hash = argon2.hash(DEMO_PASSWORD)
    return await in_one_session(settings, url, lambda db: seed_demo(db, password_hash))


@command("aggregate")
def aggregate(args: argparse.Namespace, settings: Settings) -> int:
    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded

    try:
        url = resolve_database_url()
        run_migrations(url)
        report = asyncio.run(_aggregate(settings, url, args.since))
    finally:
        stop_embedded()
    sys.stdout.write(
        f"Analytics stored from {report.since}: days before {report.days_until}, "
        f"weeks before {report.weeks_until}.\n"
    )
    return 0


async def _aggregate(settings: Settings, url: str, since: date | None) -> Any:
    from datetime import UTC, datetime

    from db.queries.analytics import Frame
    from services.analytics_jobs import ISOLATION, aggregate

    async def work(db: AsyncSession) -> Any:
        await db.connection(execution_options={"isolation_level": ISOLATION})
        frame = Frame(settings.scheduler_timezone, datetime.now(UTC))
        return await aggregate(db, frame, since)

    return await in_one_session(settings, url, work)


@command("create-admin")
def create_admin(args: argparse.Namespace, settings: Settings) -> int:
    import getpass

    from db.runtime import migrate as run_migrations
    from db.runtime import resolve_database_url, stop_embedded
    from services.errors import AppError

    secret = settings.tb_admin_password
    password = secret.get_secret_value() if secret else getpass.getpass("Password: ")
    try:
        url = resolve_database_url()
        run_migrations(url)
        user_id = asyncio.run(_create_admin(settings, url, args, password))
    except AppError as exc:
        field = exc.extensions.get("field")
        where = f" ({field})" if field else ""
        sys.stderr.write(f"therapybridge: error{where}: {exc.message}\n")
        return 2
    finally:
        stop_embedded()
    sys.stdout.write(f"admin created: {user_id}\n")
    return 0


async def _create_admin(
    settings: Settings, url: str, args: argparse.Namespace, password: str
) -> str:
    from db.enums import Role
    from db.models import DEFAULT_PRACTICE_ID
    from services.accounts import NewUser, check_new_user, register_user
    from services.practices import create_practice, practice_name

    async def work(db: AsyncSession) -> str:
        data = NewUser(
            args.email, password, args.first_name, args.last_name, Role.ADMIN
        )
        practice_id = DEFAULT_PRACTICE_ID
        if args.practice_name is not None:
            check_new_user(data)
            name = practice_name(args.practice_name, "", "")
            practice_id = (await create_practice(db, name)).id
        # created by the operator, who vouches for the address
        user = await register_user(db, data, practice_id=practice_id, verified=True)
        return str(user.id)

    return await in_one_session(settings, url, work)
