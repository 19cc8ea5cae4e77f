"""``therapybridge backup FILE`` / ``restore FILE``: one archive holding a
logical dump of the database, the uploaded audio (local storage) and a
manifest with the versions it came from.

The archive is a tar: ``manifest.json``, ``database.dump`` (pg_dump custom
format) and ``storage/...``. PHI columns stay encrypted in the dump exactly
as in the database; the keys are NOT in the archive (keep PHI_ENCRYPTION_KEY
and PHI_ENCRYPTION_OLD_KEYS apart from the backups). A backup taken under a
key restores under a newer key as long as the old one is listed in
PHI_ENCRYPTION_OLD_KEYS (each value names the key that sealed it).
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from db import dump as pg
from settings import Settings

FORMAT = "therapybridge-backup"
FORMAT_VERSION = 1
DUMP_NAME = "database.dump"
STORAGE_PREFIX = "storage"


class BackupError(RuntimeError):
    """A refused or failed backup/restore; the message says why."""


@dataclass(frozen=True)
class Report:
    path: Path
    files: int
    database_bytes: int


def _manifest(
    settings: Settings, tools: pg.Tools, url: str, files: int, *, local: bool
) -> bytes:
    _, server = pg.server_version(url)
    data: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": _app_version(),
        "created_at": datetime.now(UTC).isoformat(),
        "postgres_server": server,
        "pg_dump": tools.version,
        "alembic_revision": pg.alembic_revision(url),
        "storage": "local" if local else "s3 (files not in this archive)",
        "storage_files": files,
    }
    return json.dumps(data, indent=2).encode()


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("therapybridge")
    except PackageNotFoundError:
        return "unknown"


def backup(
    settings: Settings, url: str, embedded_bin: Path | None, target: Path
) -> Report:
    """Write the archive to ``target``; refuse if it exists."""
    target = target.expanduser()
    try:
        # O_EXCL: refused even if another backup creates it meanwhile; 0600:
        # the archive holds patient data
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{target} exists; a backup never overwrites") from None
    done = False
    try:
        tools = pg.find_tools(url, embedded_bin)
        storage = settings.storage_path
        # with an S3-compatible store the files stay in the bucket (back it
        # up with the bucket's own tools); only a local store is archived
        local = settings.storage_backend == "local"
        files = (
            [p for p in storage.rglob("*") if p.is_file()]
            if local and storage.is_dir()
            else []
        )
        with tempfile.TemporaryDirectory(prefix="tb-backup-") as tmp:
            dumped = Path(tmp) / DUMP_NAME
            pg.dump(url, tools, dumped)
            manifest = Path(tmp) / "manifest.json"
            manifest.write_bytes(
                _manifest(settings, tools, url, len(files), local=local)
            )
            out = os.fdopen(fd, "wb")
            fd = -1  # owned by ``out`` from here on
            with out, tarfile.open(fileobj=out, mode="w") as tar:
                tar.add(manifest, arcname="manifest.json")
                tar.add(dumped, arcname=DUMP_NAME)
                for path in files:
                    rel = path.relative_to(storage).as_posix()
                    tar.add(path, arcname=f"{STORAGE_PREFIX}/{rel}")
            size = dumped.stat().st_size
        done = True
        return Report(target, len(files), size)
    finally:
        if fd >= 0:
            os.close(fd)
        if not done:
            target.unlink(missing_ok=True)


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            data: dict[str, Any] = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError):
        raise BackupError(f"{source} is not a TherapyBridge backup") from None
    if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{source} is not a TherapyBridge backup of a known format")
    return data


def restore(
    settings: Settings,
    url: str,
    embedded_bin: Path | None,
    source: Path,
    *,
    force: bool,
) -> dict[str, Any]:
    """Load the archive into the database and storage; refuse a database that
    holds tables unless ``force`` (which first removes everything in it)."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    manifest = read_manifest(source)
    if not pg.is_empty(url) and not force:
        raise BackupError(
            "the database is not empty; restore into an empty one, or pass "
            "--force to replace everything in it"
        )
    tools = pg.find_tools(url, embedded_bin)
    storage = settings.storage_path
    with (
        tempfile.TemporaryDirectory(prefix="tb-restore-") as tmp,
        tarfile.open(source, "r") as tar,
    ):
        members = tar.getmembers()
        for member in members:
            # nothing may land outside the temporary directory
            if member.name != DUMP_NAME and not member.name.startswith(
                f"{STORAGE_PREFIX}/"
            ):
                continue
            tar.extract(member, tmp, filter="data")
        if force:
            pg.reset(url)
        pg.restore(url, tools, Path(tmp) / DUMP_NAME)
        restored = Path(tmp) / STORAGE_PREFIX
        if restored.is_dir():
            storage.mkdir(parents=True, exist_ok=True)
            shutil.copytree(restored, storage, dirs_exist_ok=True)
    return manifest
