"""Which database this process uses, and migrating it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from settings import get_settings

_embedded: Any = None


def resolve_database_url() -> str:
    """DATABASE_URL when set; otherwise start the embedded PostgreSQL.

    The resolved URL is written back to the environment so child processes
    (uvicorn workers) use the same server without starting another.
    """
    global _embedded
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from db.embedded import embedded_url, start_embedded

    _embedded = start_embedded(settings.data_dir)
    url = embedded_url(_embedded)
    os.environ["DATABASE_URL"] = url
    return url


def stop_embedded() -> None:
    """Release this process's handle; pgserver stops the server with the last."""
    global _embedded
    if _embedded is not None:
        _embedded.cleanup()
        _embedded = None


def alembic_config(url: str | None = None) -> Any:
    from alembic.config import Config

    import migrations

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if url:
        cfg.attributes["url"] = url
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision``, then procrastinate's schema."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
    install_job_schema(url)


JOB_SCHEMA_LOCK = 0x7462_6A6F_6273  # 'tbjobs'


def install_job_schema(url: str) -> None:
    """Install procrastinate's tables once; servers starting together wait on
    an advisory lock, and an installed schema is left alone."""
    import psycopg
    from procrastinate.schema import SchemaManager

    from db.engine import to_async_url, to_libpq_url

    with psycopg.connect(to_libpq_url(to_async_url(url))) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (JOB_SCHEMA_LOCK,))
        row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is None or row[0] is None:
            conn.execute(SchemaManager.get_schema())
        conn.commit()
