from __future__ import annotations

from typing import Any

import psycopg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from db.engine import to_libpq_url
from db.models import Base
from db.runtime import alembic_config
from tests.pg import PgServer


def _diff(url: str) -> list[Any]:
    sync_url = to_libpq_url(url).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(sync_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, parent: (
                        not (type_ == "table" and str(name).startswith("procrastinate"))
                    ),
                },
            )
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    with psycopg.connect(to_libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def test_upgrade_head_matches_the_models(pg: PgServer) -> None:
    url = pg.create_database("tb_mig")

    command.upgrade(alembic_config(url), "head")

    assert _diff(url) == []
    assert set(Base.metadata.tables) <= _tables(url)


def test_downgrade_to_base_and_upgrade_again(pg: PgServer) -> None:
    url = pg.create_database("tb_mig")
    cfg = alembic_config(url)
    command.upgrade(cfg, "head")

    command.downgrade(cfg, "base")
    assert not (set(Base.metadata.tables) & _tables(url))

    command.upgrade(cfg, "head")
    assert _diff(url) == []
