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


def bin_dir() -> Path:
    """The embedded server's own client and server programs (pg_dump,
    pg_restore, pg_ctl, psql), of the same version as the server."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _system_user(pgdata: Path) -> str | None:
    """pgserver runs PostgreSQL as this user when started by root; like
    pgserver, let it traverse the directories above ``pgdata`` (a temporary
    directory's parents may have been tightened since it started)."""
    if os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import ensure_prefix_permissions

    ensure_prefix_permissions(pgdata)
    return "pgserver"


def socket_dir_of(pgdata: Path) -> Path | None:
    """The Unix socket directory of the server running on ``pgdata``, read
    from its postmaster.pid (None when it is not running)."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    return Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None


def stop_cluster(pgdata: Path) -> Path:
    """Stop the embedded server on ``pgdata`` (fast: sessions are ended);
    returns its socket directory, for ``start_cluster``."""
    import subprocess

    socket_dir = socket_dir_of(pgdata)
    if socket_dir is None:
        raise RuntimeError(f"no PostgreSQL is running on {pgdata}")
    subprocess.run(
        [str(bin_dir() / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
        check=True,
        capture_output=True,
        user=_system_user(pgdata),
        timeout=60,
    )
    return socket_dir


def start_cluster(pgdata: Path, socket_dir: Path) -> None:
    """Start the embedded server on ``pgdata`` again, as pgserver starts it
    (no TCP listener, the same socket directory)."""
    import subprocess

    subprocess.run(
        [
            str(bin_dir() / "pg_ctl"),
            "-D",
            str(pgdata),
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {socket_dir}",
            "-l",
            str(pgdata / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
        user=_system_user(pgdata),
        timeout=60,
    )
