"""The embedded PostgreSQL (pgserver) used when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

log = logging.getLogger(__name__)

DB_NAME = "therapybridge"


def start_embedded(data_dir: Path, *, cleanup_mode: str | None = "stop") -> Any:
    """Start (or attach to) PostgreSQL under ``data_dir/pg``; return the handle.

    pgserver serialises start-up with a file lock and keeps a list of the
    processes using the cluster, so a second process on the same DATA_DIR
    attaches to the running server instead of starting another, and the last
    one to exit stops it.
    """
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp").resolve()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pg", cleanup_mode=cleanup_mode)
    _ensure_database(server, DB_NAME)
    return server


def _ensure_database(server: Any, name: str) -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')


def embedded_url(server: Any, database: str = DB_NAME) -> str:
    """An SQLAlchemy asyncpg URL for the embedded server's Unix socket."""
    uri = urlparse(server.get_uri(database))
    host = parse_qs(uri.query)["host"][0]
    return f"postgresql+asyncpg://postgres@/{database}?host={host}"
