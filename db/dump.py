"""Logical dumps of the application's database with PostgreSQL's own tools.

The programs come with the server in use: the embedded server's bundled
``pg_dump``/``pg_restore`` when DATABASE_URL is unset; for another server, the
first ``pg_dump`` found (on PATH, then the bundled one) whose major version
is at least the server's (pg_dump refuses older ones, and a dump from a newer
pg_dump restores with the matching pg_restore).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

import psycopg

from db.engine import to_async_url, to_libpq_url

# what a restore with --force removes first: everything the app and the job
# queue created lives in the public schema
_RESET = "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"
_USER_TABLES = (
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog',"
    " 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
)


DBNAME = "--dbname"  # replaced by the password-less conninfo in _run


class DumpError(RuntimeError):
    """A dump or restore that could not run; the message says why."""


@dataclass(frozen=True)
class Tools:
    pg_dump: Path
    pg_restore: Path
    version: str  # of pg_dump, e.g. "16.2"


def libpq_url(url: str) -> str:
    """A URL pg_dump and psycopg understand (no SQLAlchemy driver name)."""
    return to_libpq_url(to_async_url(url))


def _value(conn: psycopg.Connection[Any], query: LiteralString) -> Any:
    """The one value of a statement that always returns one row (SHOW, COUNT)."""
    row = conn.execute(query).fetchone()
    if row is None:
        raise RuntimeError(f"{query!r} returned no row")
    return row[0]


def server_version(url: str) -> tuple[int, str]:
    """(major, full version) of the server behind ``url``."""
    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        num = int(_value(conn, "SHOW server_version_num"))
        full = str(_value(conn, "SHOW server_version"))
    return num // 10000, full


def _version_of(program: Path) -> tuple[int, str] | None:
    try:
        out = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"(\d+)(?:\.(\d+))?", out)
    if found is None:
        return None
    return int(found.group(1)), found.group(0)


def find_tools(url: str, embedded_bin: Path | None) -> Tools:
    """The pg_dump/pg_restore pair to use against ``url``."""
    major, full = server_version(url)
    candidates: list[Path] = []
    if embedded_bin is not None:
        candidates.append(embedded_bin / "pg_dump")  # the server's own
    on_path = shutil.which("pg_dump")
    if on_path:
        candidates.append(Path(on_path))
    if embedded_bin is None:
        from db.embedded import bin_dir

        candidates.append(bin_dir() / "pg_dump")
    for pg_dump in candidates:
        found = _version_of(pg_dump)
        restore = pg_dump.with_name("pg_restore")
        if found and found[0] >= major and restore.exists():
            return Tools(pg_dump, restore, found[1])
    raise DumpError(
        f"no pg_dump of version {major} or later found for the server "
        f"(PostgreSQL {full}); install the client tools of that version"
    )


def dump(url: str, tools: Tools, target: Path) -> None:
    """A custom-format dump of the whole database into ``target``."""
    _run(
        [
            str(tools.pg_dump),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            DBNAME,
        ],
        "pg_dump",
        url,
    )


def alembic_revision(url: str) -> str | None:
    """The schema revision the database is at (None before migrations)."""
    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        exists = conn.execute("SELECT to_regclass('alembic_version')").fetchone()
        if not exists or exists[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None


def is_empty(url: str) -> bool:
    """Whether the database holds no tables at all."""
    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        return int(_value(conn, _USER_TABLES)) == 0


def reset(url: str) -> None:
    """Remove every table, type and function of the public schema."""
    with psycopg.connect(libpq_url(url), connect_timeout=10, autocommit=True) as conn:
        conn.execute(_RESET)


def restore(url: str, tools: Tools, source: Path) -> None:
    """Load a dump made by ``dump`` into an empty database, all or nothing."""
    _run(
        [
            str(tools.pg_restore),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            DBNAME,
            str(source),
        ],
        "pg_restore",
        url,
    )


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    """The conninfo without its password, and the environment that gives it
    (a password in argv is visible to every local user)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(libpq_url(url))
    password = params.pop("password", None)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo("", **params), env


def _run(args: list[str], name: str, url: str) -> None:
    conninfo, env = _without_password(url)
    args = [a if a != DBNAME else f"--dbname={conninfo}" for a in args]
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        # the tools' messages name objects, never row contents
        last = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise DumpError(f"{name} failed: " + " / ".join(last))
