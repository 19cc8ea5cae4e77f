"""Retention clean-up on planted files: a dry run deletes nothing, a real run
deletes exactly what the dry run listed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import Role, SessionStatus
from db.models import AudioFile, TherapySession
from db.runtime import migrate
from services import retention
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import (
    create_patient,
    create_practice,
    create_session,
    create_user,
    token_for,
)
from tests.pg import PgServer

CLEANUP = """
mutation Cleanup($dry: Boolean) {
  cleanupAudio(dryRun: $dry) { dryRun filesDeleted sessionsCleaned bytesFreed errors }
}
"""
HOUR = 3600


def _plant(settings: Settings, name: str, age_hours: float, size: int = 100) -> str:
    key = f"audio/{name}"
    path = settings.storage_path / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    then = time.time() - age_hours * HOUR
    os.utime(path, (then, then))
    return key


async def _audio(db: AsyncSession, key: str, session_id: uuid.UUID | None) -> AudioFile:
    row = AudioFile(
        session_id=session_id,
        filename="a.mp3",
        content_type="audio/mpeg",
        size_bytes=100,
        storage_key=key,
    )
    db.add(row)
    await db.flush()
    return row


@dataclass
class Planted:
    doomed: set[str]
    kept: set[str]
    failed_session: TherapySession
    failed_audio: AudioFile


async def _plant_all(db: AsyncSession, settings: Settings) -> Planted:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    now = utcnow()
    orphan_old = _plant(settings, "orphan-old.mp3", 48, size=1000)
    orphan_new = _plant(settings, "orphan-new.mp3", 1)
    live_old = _plant(settings, "live-old.mp3", 48)
    processed = await create_session(db, patient, therapist)
    await _audio(db, live_old, processed.id)
    unlinked = _plant(settings, "unlinked.mp3", 30, size=10)
    await _audio(db, unlinked, None)
    failed_key = _plant(settings, "failed-old.mp3", 1, size=7)
    failed = await create_session(
        db,
        patient,
        therapist,
        status=SessionStatus.FAILED,
        updated_at=now - timedelta(days=10),
    )
    failed_audio = await _audio(db, failed_key, failed.id)
    recent_key = _plant(settings, "failed-recent.mp3", 48)
    recent = await create_session(
        db,
        patient,
        therapist,
        status=SessionStatus.FAILED,
        updated_at=now - timedelta(days=2),
    )
    await _audio(db, recent_key, recent.id)
    return Planted(
        doomed={orphan_old, unlinked, failed_key},
        kept={orphan_new, live_old, recent_key},
        failed_session=failed,
        failed_audio=failed_audio,
    )


def _present(settings: Settings, keys: set[str]) -> set[str]:
    return {k for k in keys if (settings.storage_path / k).exists()}


async def test_dry_run_deletes_nothing_and_the_real_run_exactly_its_list(
    db: AsyncSession, ops_settings: Settings
) -> None:
    planted = await _plant_all(db, ops_settings)
    everything = planted.doomed | planted.kept

    dry = await retention.cleanup_audio(db, ops_settings, dry_run=True)
    assert _present(ops_settings, everything) == everything
    real = await retention.cleanup_audio(db, ops_settings, dry_run=False)

    assert set(dry.keys) == planted.doomed
    assert real.keys == dry.keys
    assert _present(ops_settings, everything) == planted.kept
    assert (dry.files_deleted, dry.sessions_cleaned, dry.bytes_freed) == (3, 1, 1017)
    assert (real.files_deleted, real.sessions_cleaned, real.bytes_freed) == (3, 1, 1017)
    assert real.errors == []


async def test_failed_session_keeps_its_row_and_its_audio_row_is_marked(
    db: AsyncSession, ops_settings: Settings
) -> None:
    planted = await _plant_all(db, ops_settings)

    await retention.cleanup_audio(db, ops_settings, dry_run=False)

    audio = (
        await db.execute(
            select(AudioFile)
            .where(AudioFile.id == planted.failed_audio.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert audio.deleted_at is not None
    assert await db.get(TherapySession, planted.failed_session.id) is not None
    again = await retention.cleanup_audio(db, ops_settings, dry_run=True)
    assert again.files_deleted == 0


async def test_cleanup_mutation_reports_for_an_admin(
    db: AsyncSession, ops_gql: GQL, ops_settings: Settings
) -> None:
    planted = await _plant_all(db, ops_settings)
    admin = await create_user(db, role=Role.ADMIN)
    token = token_for(ops_settings, admin)

    dry = await ops_gql(CLEANUP, {"dry": True}, token=token)
    left_after_dry = _present(ops_settings, planted.doomed)
    real = await ops_gql(CLEANUP, {"dry": False}, token=token)

    # a practice admin cleans its practice's FAILED-session audio only; the
    # orphans belong to no practice (the operator's CLI and daily task)
    failed_key = planted.failed_audio.storage_key
    assert dry["data"]["cleanupAudio"] == {
        "dryRun": True,
        "filesDeleted": 1,
        "sessionsCleaned": 1,
        "bytesFreed": 7.0,
        "errors": [],
    }
    assert left_after_dry == planted.doomed
    assert real["data"]["cleanupAudio"]["filesDeleted"] == 1
    assert real["data"]["cleanupAudio"]["dryRun"] is False
    assert _present(ops_settings, planted.doomed) == planted.doomed - {failed_key}


async def test_another_practices_admin_cleans_nothing_of_this_practice(
    db: AsyncSession, ops_gql: GQL, ops_settings: Settings
) -> None:
    planted = await _plant_all(db, ops_settings)
    outsider = await create_user(db, await create_practice(db), role=Role.ADMIN)

    real = await ops_gql(
        CLEANUP, {"dry": False}, token=token_for(ops_settings, outsider)
    )

    assert real["data"]["cleanupAudio"]["filesDeleted"] == 0
    assert _present(ops_settings, planted.doomed) == planted.doomed


async def test_cleanup_is_forbidden_to_a_therapist_and_defaults_to_a_dry_run(
    db: AsyncSession, ops_gql: GQL, ops_settings: Settings
) -> None:
    planted = await _plant_all(db, ops_settings)
    therapist = await create_user(db)
    admin = await create_user(db, role=Role.ADMIN)

    refused = await ops_gql(CLEANUP, token=token_for(ops_settings, therapist))
    default = await ops_gql(CLEANUP, token=token_for(ops_settings, admin))

    assert error_codes(refused) == ["FORBIDDEN"]
    assert default["data"]["cleanupAudio"]["dryRun"] is True
    assert _present(ops_settings, planted.doomed) == planted.doomed


def test_the_operator_cli_cleans_orphans_of_every_practice(
    pg: PgServer, tmp_path: Path
) -> None:
    url = pg.create_database("tb_cleanup_cli")
    migrate(url)
    settings = Settings(environment="test", database_url=url, data_dir=tmp_path)
    orphan = _plant(settings, "orphan.mp3", 48, size=5)
    exe = str(Path(sys.executable).with_name("therapybridge"))
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}

    dry = subprocess.run(
        [exe, "cleanup-audio"], env=env, capture_output=True, text=True, timeout=120
    )
    present_after_dry = (settings.storage_path / orphan).exists()
    real = subprocess.run(
        [exe, "cleanup-audio", "--apply"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 files (5 bytes)" in dry.stdout
    assert present_after_dry
    assert real.returncode == 0, real.stderr
    assert "deleted 1 files" in real.stdout
    assert not (settings.storage_path / orphan).exists()
