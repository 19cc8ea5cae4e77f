"""An app whose DATA_DIR (storage, exports) is a fresh temporary directory,
and the two steps of an export test: run the job, download the file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import User
from resolvers.ids import decode_id
from services import export_build
from settings import Settings
from tests.conftest import GQL, app_client
from tests.factories import token_for


@pytest.fixture
def ops_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        data_dir=tmp_path,
        exports_per_hour=3,
    )


@pytest.fixture
async def ops_client(
    ops_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(ops_settings, session_factory, "http://t") as c:
        yield c


@pytest.fixture
def ops_gql(ops_client: httpx.AsyncClient) -> GQL:
    return GQL(ops_client)


async def produce_export(
    factory: async_sessionmaker[AsyncSession], settings: Settings, body: dict[str, Any]
) -> str:
    """Run the export job a mutation's response names; its global id."""
    key = next(iter(body["data"].values()))["id"]
    await export_build.run_export(factory, settings, decode_id(key, "ExportJob"))
    return str(key)


async def download(
    client: httpx.AsyncClient, url: str, user: User, s: Settings
) -> httpx.Response:
    """GET ``url`` as ``user``."""
    return await client.get(
        url, headers={"authorization": f"Bearer {token_for(s, user)}"}
    )
