"""A test-only schema: the real root fields plus probes that the real graph
does not have yet (nested connections, arbitrary depth, a failing resolver, a
slow one, a mutation that writes and then waits)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import strawberry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.tools import merge_types
from strawberry.types import Info

from app import create_app
from db.enums import Role
from db.models import DEFAULT_PRACTICE_ID, User
from db.queries.pagination import Page
from resolvers.context import Context
from schema import MUTATIONS, QUERIES, build_schema
from schema.connection import Connection
from schema.types.user import UserType
from settings import Settings

PROBE_SECRET = "probe-secret-Zq81 SELECT * FROM patients WHERE name = 'Ada'"


async def _zero() -> int:
    return 0


def _empty() -> Connection[Any]:
    page: Page[Any] = Page(
        rows=[], key=lambda row: (), has_next_page=False, has_previous_page=False
    )
    return Connection.from_page(page, _zero)


@strawberry.type
class Folder:
    name: str = "folder"

    @strawberry.field
    def child(self) -> Folder:
        return Folder()

    @strawberry.field
    def users(
        self, first: int | None = None, last: int | None = None
    ) -> Connection[UserType]:
        return _empty()


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def folder(self) -> Folder:
        return Folder()

    @strawberry.field
    def folders(
        self, first: int | None = None, last: int | None = None
    ) -> Connection[Folder]:
        return _empty()

    @strawberry.field
    async def boom(self) -> str:
        raise RuntimeError(PROBE_SECRET)

    @strawberry.field
    async def slow(self, seconds: float) -> bool:
        await asyncio.sleep(seconds)
        return True

    @strawberry.field
    async def statement_timeout(self, info: Info[Context, None], ms: int) -> bool:
        """A statement that outlives a ``ms`` statement_timeout."""
        db = info.context.db
        await db.execute(text(f"SET LOCAL statement_timeout = {int(ms)}"))
        await db.execute(text("SELECT pg_sleep(5)"))
        return True


@strawberry.type
class ProbeMutation:
    @strawberry.mutation
    async def write_then_wait(
        self, info: Info[Context, None], email: str, seconds: float
    ) -> bool:
        db = info.context.db
        db.add(
            User(
                email=email,
                password_hash="x",
                first_name="Probe",
                last_name="Probe",
                role=Role.THERAPIST,
                practice_id=DEFAULT_PRACTICE_ID,
            )
        )
        await db.flush()
        await asyncio.sleep(seconds)
        return True

    @strawberry.mutation
    async def write_then_statement_timeout(
        self, info: Info[Context, None], email: str
    ) -> bool:
        db = info.context.db
        db.add(
            User(
                email=email,
                password_hash="x",
                first_name="Probe",
                last_name="Probe",
                role=Role.THERAPIST,
                practice_id=DEFAULT_PRACTICE_ID,
            )
        )
        await db.flush()
        await db.execute(text("SET LOCAL statement_timeout = 100"))
        await db.execute(text("SELECT pg_sleep(5)"))
        return True


def probe_schema(production: bool = False) -> Any:
    return build_schema(
        production=production,
        query=merge_types("Query", (*QUERIES, ProbeQuery)),
        mutation=merge_types("Mutation", (*MUTATIONS, ProbeMutation)),
    )


PROBE_SCHEMA = probe_schema()


async def probe_client(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    schema: Any = PROBE_SCHEMA,
    client: tuple[str, int] = ("127.0.0.1", 123),
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, session_factory=session_factory, schema=schema)
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
