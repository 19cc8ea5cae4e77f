"""``therapybridge backup`` / ``restore`` from the outside: seed-demo, back up,
restore into a fresh data directory (the embedded server and its own
pg_restore) under a NEW key with the old one in PHI_ENCRYPTION_OLD_KEYS, and
read the same answers, decrypted; a backup never overwrites; a restore
refuses a database that is not empty unless --force."""

from __future__ import annotations

import base64
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.embedded import embedded_url, start_embedded
from db.encryption import Keyring, set_keyring
from db.engine import create_sessionmaker
from db.models import Patient, SessionNotes, Transcript
from tests.e2e.server import EXE, ROOT
from tests.pg import PgServer

pytestmark = pytest.mark.e2e

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()
TABLES = (
    "users",
    "patients",
    "therapy_sessions",
    "session_status_events",
    "session_notes",
    "transcripts",
    "audit_events",
)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args],
        env={**os.environ, "ENVIRONMENT": "development", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


async def _answers(url: str, keyring: Keyring) -> dict[str, Any]:
    """What the data says, decrypted with ``keyring``: row counts, and every
    patient's phone and birth date, transcript and note content."""
    set_keyring(keyring)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with create_sessionmaker(engine)() as db:
            counts = {
                t: (await db.execute(text(f"SELECT count(*) FROM {t}"))).scalar()
                for t in TABLES
            }
            patients = sorted(
                (p.name, p.phone, p.date_of_birth)
                for p in (await db.execute(select(Patient))).scalars()
            )
            transcripts = sorted(
                t.text for t in (await db.execute(select(Transcript))).scalars()
            )
            notes = sorted(
                repr(sorted(n.content.items()))
                for n in (await db.execute(select(SessionNotes))).scalars()
            )
    finally:
        await engine.dispose()
        set_keyring(None)
    return {"counts": counts, "patients": patients, "t": transcripts, "n": notes}


@pytest.fixture
def fresh_dir() -> Iterator[Path]:
    # outside pytest's temporary root: PostgreSQL runs as another user when
    # the tests run as root, and must traverse every parent directory
    with tempfile.TemporaryDirectory(prefix="tb-restore-") as path:
        yield Path(path)


async def test_backup_and_restore_round_trip(
    pg: PgServer, tmp_path: Path, fresh_dir: Path
) -> None:
    # given the demo practice seeded under key K1, and one uploaded file
    source = pg.create_database("tb_backup")
    storage = tmp_path / "storage"
    (storage / "ab").mkdir(parents=True)
    (storage / "ab" / "audio.mp3").write_bytes(b"ID3 not really audio")
    env = {
        "DATABASE_URL": source,
        "STORAGE_DIR": str(storage),
        "PHI_ENCRYPTION_KEY": K1,
    }
    seeded = _cli("seed-demo", **env)
    assert seeded.returncode == 0, seeded.stderr
    archive = tmp_path / "nightly.tar"

    # when it is backed up (twice: the second is refused)
    made = _cli("backup", str(archive), **env)
    size = archive.stat().st_size
    again = _cli("backup", str(archive), **env)

    # and restored into a fresh data directory, the server now on key K2
    restored_storage = fresh_dir / "storage"
    restore_env = {
        "DATABASE_URL": "",
        "DATA_DIR": str(fresh_dir),
        "PHI_ENCRYPTION_KEY": K2,
        "PHI_ENCRYPTION_OLD_KEYS": K1,
    }
    restored = _cli("restore", str(archive), **restore_env)
    refused = _cli("restore", str(archive), **env)
    forced = _cli("restore", "--force", str(archive), **env)

    # then the backup was written once, with the stored file
    assert made.returncode == 0, made.stderr
    assert again.returncode == 2
    assert "exists" in again.stderr
    assert archive.stat().st_size == size
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert restored.returncode == 0, restored.stderr
    assert (
        restored_storage / "ab" / "audio.mp3"
    ).read_bytes() == b"ID3 not really audio"
    # a non-empty database is refused, unless --force
    assert refused.returncode == 2
    assert "not empty" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    # and the restored data gives the same answers, read with K2 + old K1
    server = start_embedded(fresh_dir, cleanup_mode="stop")
    try:
        url = embedded_url(server)
        expected = await _answers(source, Keyring(b"1" * 32))
        got = await _answers(url, Keyring(b"2" * 32, [b"1" * 32]))
        without_old_key: Exception | None = None
        try:
            await _answers(url, Keyring(b"2" * 32))
        except LookupError as exc:
            without_old_key = exc
    finally:
        server.cleanup()
    assert expected["counts"]["patients"] == 12
    assert len(expected["n"]) > 100
    assert got == expected
    # the old key really is what reads it
    assert without_old_key is not None
