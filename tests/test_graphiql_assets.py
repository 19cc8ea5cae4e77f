"""The GraphiQL page and its pinned assets, served by the server itself
(the browser test, tests/e2e/test_graphiql_browser.py, runs it in Chromium)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator
from fnmatch import fnmatch
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.graphiql import STATIC_DIR
from settings import Settings
from tests.schema.probe import probe_client

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def dev(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in probe_client(
        settings.model_copy(update={"environment": "development"}), session_factory
    ):
        yield c


async def test_the_page_loads_only_the_servers_own_assets(
    dev: httpx.AsyncClient,
) -> None:
    page = await dev.get("/graphql", headers={"accept": "text/html"})
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)

    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self';" in csp
    assert "unsafe" not in csp
    assert "<script>" not in page.text  # no inline script
    assert [u for u in urls if u != "data:,"] == [
        u for u in urls if u.startswith("/graphiql/static/")
    ]
    assert len(urls) == 10  # 6 scripts, 3 stylesheets, the empty icon
    for url in urls[1:]:
        asset = await dev.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.content


async def test_only_listed_files_under_their_digest_are_served(
    dev: httpx.AsyncClient,
) -> None:
    page = (await dev.get("/graphql", headers={"accept": "text/html"})).text
    url = re.findall(r'src="(/graphiql/static/[^"]+/app\.js)"', page)[0]
    digest = url.split("/")[3]

    stale = await dev.get(url.replace(digest, "0" * 16))
    unlisted = await dev.get(f"/graphiql/static/{digest}/README.md")
    escape = await dev.get(f"/graphiql/static/{digest}/../../../settings.py")

    assert stale.status_code == 404
    assert unlisted.status_code == 404
    assert escape.status_code == 404


def test_package_data_ships_every_asset_and_licence() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["schema"]
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file()]
    licences = list((STATIC_DIR / "vendor" / "licenses").glob("*.LICENSE"))

    assert len(licences) == 5
    for path in files:
        relative = path.relative_to(ROOT / "schema").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
