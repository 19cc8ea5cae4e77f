"""The PostgreSQL the tests use: TEST_DATABASE_URL, or an embedded one."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg

from db.engine import to_async_url, to_libpq_url


class PgServer:
    """One server per test run; each caller gets fresh databases on it."""

    def __init__(self) -> None:
        self._embedded: Any = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        external = os.environ.get("TEST_DATABASE_URL")
        if external:
            self.admin_url = to_libpq_url(to_async_url(external))
        else:
            from db.embedded import start_embedded

            self._tmp = tempfile.TemporaryDirectory(prefix="tb-test-pg-")
            self._embedded = start_embedded(Path(self._tmp.name), cleanup_mode="delete")
            self.admin_url = self._embedded.get_uri("postgres")
        self.created: list[str] = []

    def create_database(self, prefix: str = "tb_test") -> str:
        """A new empty database; returns its asyncpg URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return to_async_url(self._url_for(name))

    def _url_for(self, name: str) -> str:
        base, _, query = self.admin_url.partition("?")
        head, _, _ = base.rpartition("/")
        return f"{head}/{name}" + (f"?{query}" if query else "")

    def close(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self._embedded is not None:
            self._embedded.cleanup()
        if self._tmp is not None:
            self._tmp.cleanup()
