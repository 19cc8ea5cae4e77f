"""End-to-end fixtures: a real server process on its own database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.server import ServerProcess
from tests.pg import PgServer


@pytest.fixture
def e2e_database_url(pg: PgServer) -> str:
    """A fresh, empty database; ``serve`` migrates it itself."""
    return pg.create_database("tb_e2e")


@pytest.fixture
def live_server(
    e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("live")
    server = ServerProcess(
        "serve",
        "--no-worker",
        env={
            "DATABASE_URL": e2e_database_url,
            "DATA_DIR": str(data),
            "ENVIRONMENT": "development",
        },
    )
    server.start()
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()
