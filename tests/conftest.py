"""Fixtures: a real PostgreSQL, a transaction per test, an ASGI client."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("JWT_SECRET_KEY", "test-secret-key-with-at-least-32-characters")

from app import create_app
from db.engine import create_sessionmaker
from db.runtime import migrate
from settings import Settings, get_settings
from tests.pg import PgServer
from tests.s3 import ACCESS_KEY, SECRET_KEY, MotoS3


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    server = PgServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def database_url(pg: PgServer) -> str:
    url = pg.create_database()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    get_settings.cache_clear()
    return Settings(environment="test", database_url=database_url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(database_url, poolclass=NullPool)
    yield eng
    await eng.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in an outer transaction, rolled back after the test."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        if trans.is_active:
            await trans.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # commits inside the app release a savepoint; the outer transaction stays
    return create_sessionmaker(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as db:
        yield db


@contextlib.asynccontextmanager
async def app_client(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    base_url: str = "http://test",
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app in-process, over ``session_factory``."""
    app = create_app(settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
        yield c


@pytest.fixture
async def client(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, session_factory) as c:
        yield c


class GQL:
    """Posts GraphQL operations; returns the decoded response body."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        **headers: str,
    ) -> dict[str, Any]:
        hdrs = dict(headers)
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=hdrs,
        )
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    server = MotoS3().start()
    yield server
    server.stop()


class Backend:
    """One storage backend under test: settings pointing at a fresh directory
    or a fresh bucket, and a way to read and replace the raw stored objects."""

    def __init__(self, name: str, settings: Settings, moto: MotoS3 | None) -> None:
        self.name = name
        self.settings = settings
        self.moto = moto

    def raw(self, key: str) -> bytes:
        if self.moto is None:
            return (self.settings.storage_path / key).read_bytes()
        obj = self.moto.client().get_object(Bucket=self.settings.s3_bucket, Key=key)
        data: bytes = obj["Body"].read()
        return data

    def replace(self, key: str, data: bytes) -> None:
        if self.moto is None:
            (self.settings.storage_path / key).write_bytes(data)
        else:
            self.moto.client().put_object(
                Bucket=self.settings.s3_bucket, Key=key, Body=data
            )

    def keys(self) -> set[str]:
        if self.moto is None:
            root = self.settings.storage_path
            return {
                p.relative_to(root).as_posix()
                for p in root.rglob("*")
                if p.is_file() and p.suffix != ".part"  # unfinished writes
            }
        listed = self.moto.client().list_objects_v2(Bucket=self.settings.s3_bucket)
        return {o["Key"] for o in listed.get("Contents", [])}

    def unfinished_uploads(self) -> int:
        if self.moto is None:
            root = self.settings.storage_path
            return sum(1 for p in root.rglob("*.part"))
        listed = self.moto.client().list_multipart_uploads(
            Bucket=self.settings.s3_bucket
        )
        return len(listed.get("Uploads", []))


@pytest.fixture(params=["local", "s3"])
async def backend(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> AsyncIterator[Backend]:
    """The same test against a local directory and an S3 bucket (moto)."""
    from services.storage import close_stores

    yield _backend(request, settings, tmp_path)
    await close_stores()  # the S3 clients' connection pools


def _backend(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> Backend:
    base = settings.model_copy(
        update={"data_dir": tmp_path, "storage_dir": tmp_path / "storage"}
    )
    if request.param == "local":
        return Backend("local", base, None)
    moto: MotoS3 = request.getfixturevalue("moto_s3")
    s3 = base.model_copy(
        update={
            "storage_backend": "s3",
            "s3_endpoint_url": moto.endpoint,
            "s3_bucket": moto.new_bucket(),
            "s3_access_key_id": ACCESS_KEY,
            "s3_secret_access_key": SecretStr(SECRET_KEY),
        }
    )
    return Backend("s3", s3, moto)
