"""An app whose DATA_DIR (storage, exports) is a fresh temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from settings import Settings
from tests.conftest import GQL


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
    app = create_app(ops_settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


@pytest.fixture
def ops_gql(ops_client: httpx.AsyncClient) -> GQL:
    return GQL(ops_client)
