"""PHI at rest: raw tables hold only ciphertext; key rotation re-keys it all."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.encryption import Keyring, set_keyring
from db.engine import create_engine, create_sessionmaker, to_libpq_url
from db.enums import (
    ExportFormat,
    ExportKind,
    Mood,
    MoodTrajectory,
    NoteSource,
    RiskSeverity,
)
from db.models import (
    AudioFile,
    ExportJob,
    NoteAddendum,
    Patient,
    RiskAlert,
    SessionNotes,
    TherapySession,
    Transcript,
    TreatmentGoal,
    TreatmentPlan,
)
from db.rotation import count_stale, encrypted_columns, rotate_phi_key
from db.runtime import migrate
from services.filecrypt import new_file_key
from settings import Settings
from tests.e2e.server import EXE, ROOT
from tests.factories import create_patient, create_user, utc
from tests.pg import PgServer

MARKERS = {
    "phone": "+1 555 MARKER-PHONE",
    "dob": "1977-07-07",
    "transcript": "MARKER-TRANSCRIPT the patient said they feel hopeless",
    "segment": "MARKER-SEGMENT",
    "note": "MARKER-NOTE panic attacks at work",
    "goal": "MARKER-GOAL sleep eight hours",
    "intervention": "MARKER-INTERVENTION CBT-I",
    "addendum": "MARKER-ADDENDUM called the GP",
    "alert": "MARKER-ALERT better off without me",
    "ack": "MARKER-ACK safety plan agreed",
}
EXPECTED_COLUMNS = {
    "patients.phone",
    "patients.date_of_birth",
    "transcripts.text",
    "transcripts.segments",
    "session_notes.content",
    "treatment_goals.description",
    "treatment_goals.interventions",
    # each stored file's own key, sealed by the PHI key
    "audio_files.file_key",
    "export_jobs.file_key",
    # signed notes' addenda and risk alerts (issue 18)
    "note_addenda.text",
    "risk_alerts.flags",
    "risk_alerts.acknowledgement_note",
}
FILE_KEY = new_file_key()


@pytest.fixture
def keys() -> Iterator[tuple[bytes, bytes]]:
    old, new = os.urandom(32), os.urandom(32)
    set_keyring(Keyring(old))
    yield old, new
    set_keyring(None)


async def seed_phi(db: AsyncSession) -> dict[str, Any]:
    therapist = await create_user(db)
    patient = await create_patient(
        db, therapist, phone=MARKERS["phone"], date_of_birth=MARKERS["dob"]
    )
    visit = TherapySession(
        patient_id=patient.id, therapist_id=therapist.id, session_date=utc(2026, 1, 5)
    )
    db.add(visit)
    await db.flush()
    plan = TreatmentPlan(patient_id=patient.id, title="Plan")
    db.add(plan)
    await db.flush()
    db.add_all(
        [
            Transcript(
                session_id=visit.id,
                text=MARKERS["transcript"],
                segments=[{"start": 0, "end": 1, "text": MARKERS["segment"]}],
            ),
            SessionNotes(
                session_id=visit.id,
                version=1,
                source=NoteSource.AI,
                content={"therapist_notes": MARKERS["note"]},
                session_mood=Mood.LOW,
                mood_trajectory=MoodTrajectory.STABLE,
            ),
            TreatmentGoal(
                plan_id=plan.id,
                description=MARKERS["goal"],
                interventions=[MARKERS["intervention"]],
            ),
            AudioFile(
                session_id=visit.id,
                filename="a.mp3",
                content_type="audio/mpeg",
                size_bytes=1,
                storage_key=f"audio/{visit.id.hex}.mp3",
                file_key=FILE_KEY,
            ),
            ExportJob(
                requested_by_id=therapist.id,
                patient_id=patient.id,
                kind=ExportKind.PROGRESS_REPORT,
                format=ExportFormat.PDF,
                file_key=FILE_KEY,
            ),
        ]
    )
    await db.flush()
    notes_id = await db.scalar(
        select(SessionNotes.id).where(SessionNotes.session_id == visit.id)
    )
    db.add_all(
        [
            NoteAddendum(
                session_id=visit.id, notes_id=notes_id, text=MARKERS["addendum"]
            ),
            RiskAlert(
                session_id=visit.id,
                patient_id=patient.id,
                therapist_id=therapist.id,
                severity=RiskSeverity.HIGH,
                flags=[{"type": "suicidal ideation", "evidence": MARKERS["alert"]}],
                acknowledgement_note=MARKERS["ack"],
            ),
        ]
    )
    await db.flush()
    return {"patient": patient.id, "session": visit.id, "plan": plan.id}


async def raw_values(db: AsyncSession) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for table, columns in encrypted_columns().items():
        for col in columns:
            rows = await db.execute(text(f"SELECT {col.name}::text FROM {table.name}"))
            values[f"{table.name}.{col.name}"] = [r[0] for r in rows if r[0]]
    return values


def test_every_phi_column_is_an_encrypted_column() -> None:
    found = {
        f"{t.name}.{c.name}" for t, cols in encrypted_columns().items() for c in cols
    }

    assert found == EXPECTED_COLUMNS


async def test_raw_tables_hold_no_plaintext_phi(
    db: AsyncSession, keys: tuple[bytes, bytes]
) -> None:
    await seed_phi(db)

    values = await raw_values(db)

    assert set(values) == EXPECTED_COLUMNS
    for column, stored in values.items():
        assert stored, column
        for value in stored:
            assert value.startswith(f"tb1:{Keyring(keys[0]).current_id}:"), column
            for marker in (*MARKERS.values(), "MARKER", "hopeless", "1977", FILE_KEY):
                assert marker not in value, column


async def test_rotation_rekeys_everything_and_old_keys_are_no_longer_needed(
    session_factory: async_sessionmaker[AsyncSession],
    db: AsyncSession,
    keys: tuple[bytes, bytes],
) -> None:
    old, new = keys
    ids = await seed_phi(db)
    await db.commit()  # releases the savepoint: the rows are visible to others
    keyring = Keyring(new, [old])
    set_keyring(keyring)

    report = await rotate_phi_key(session_factory, keyring, batch_size=1)
    again = await rotate_phi_key(session_factory, keyring, batch_size=1)

    assert set(report.rotated) == EXPECTED_COLUMNS
    assert report.total == len(EXPECTED_COLUMNS)
    assert not report.remaining
    assert again.total == 0
    assert await count_stale(session_factory, Keyring(new)) == {}
    set_keyring(Keyring(new))  # the old key is gone
    async with session_factory() as fresh:
        patient = await fresh.get(Patient, ids["patient"])
        transcript = await fresh.scalar(
            select(Transcript).where(Transcript.session_id == ids["session"])
        )
        notes = await fresh.scalar(
            select(SessionNotes).where(SessionNotes.session_id == ids["session"])
        )
        goal = await fresh.scalar(
            select(TreatmentGoal).where(TreatmentGoal.plan_id == ids["plan"])
        )
        audio = await fresh.scalar(
            select(AudioFile).where(AudioFile.session_id == ids["session"])
        )
    assert patient is not None
    assert patient.phone == MARKERS["phone"]
    assert patient.date_of_birth == MARKERS["dob"]
    assert transcript is not None
    assert transcript.text == MARKERS["transcript"]
    assert transcript.segments[0]["text"] == MARKERS["segment"]
    assert notes is not None
    assert notes.content["therapist_notes"] == MARKERS["note"]
    assert goal is not None
    assert goal.description == MARKERS["goal"]
    assert goal.interventions == [MARKERS["intervention"]]
    # a file key is rewrapped, not replaced: the stored file still opens
    assert audio is not None
    assert audio.file_key == FILE_KEY


def _b64(key: bytes) -> str:
    import base64

    return base64.b64encode(key).decode()


async def _seed_committed(settings: Settings, url: str, times: int) -> None:
    engine = create_engine(settings, url)
    async with create_sessionmaker(engine)() as db:
        for _ in range(times):
            await seed_phi(db)
        await db.commit()
    await engine.dispose()


@pytest.mark.e2e
def test_rotate_phi_key_command_reports_counts(
    pg: PgServer, settings: Settings, keys: tuple[bytes, bytes]
) -> None:
    old, new = keys
    url = pg.create_database("tb_rotate")
    migrate(url)
    asyncio.run(_seed_committed(settings, url, 2))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PHI_ENCRYPTION_KEY": _b64(new),
        "PHI_ENCRYPTION_OLD_KEYS": _b64(old),
    }

    done = subprocess.run(
        [str(EXE), "rotate-phi-key", "--batch-size", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    without_old = subprocess.run(
        [str(EXE), "rotate-phi-key"],
        env={**env, "PHI_ENCRYPTION_OLD_KEYS": ""},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "rotated transcripts.text: 2" in done.stdout
    assert "rotated patients.phone: 2" in done.stdout
    assert "rotated audio_files.file_key: 2" in done.stdout
    assert "re-encrypted 24 values" in done.stdout
    assert without_old.returncode == 0, without_old.stderr
    assert "re-encrypted 0 values" in without_old.stdout
    with psycopg.connect(to_libpq_url(url)) as conn:
        ids = {
            r[0]
            for r in conn.execute("SELECT split_part(text, ':', 2) FROM transcripts")
        }
    assert ids == {Keyring(new).current_id}
