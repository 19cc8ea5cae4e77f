"""The benchmark data set: 20 therapists, 2,000 patients, 50,000 sessions.

Realistic sizes: 3-7 topics per note, 150-200-word therapist notes, 100-150-word
patient summaries, ~6,000-word transcripts for 2,000 sessions. Rows are written
with COPY (PHI encrypted exactly as the ORM would) so the set builds in about a
minute. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from db.encryption import get_keyring
from db.enums import Attendance, Mood, MoodTrajectory, NoteSource, Role, SessionStatus
from db.models import DEFAULT_PRACTICE_ID

THERAPISTS = 20
PATIENTS = 2_000
SESSIONS = 50_000
TRANSCRIPTS = 2_000
BENCH_PASSWORD = "Bench-Password-1!"
# v2: transcripts carry realistic segments (v1 had one segment per transcript)
MARKER_TABLE = "bench_dataset_v3"
OLD_MARKERS = ("bench_dataset_marker",)
SEGMENT_WORDS = 15  # a Whisper verbose_json segment: ~5 s of speech

WORDS = (
    "anxiety sleep work family stress mood coping breathing exercise journal "
    "relationship boundaries panic worry motivation routine self-care grief anger "
    "trauma trigger support progress goal reflection mindfulness therapy session "
    "feeling thought behaviour pattern avoidance exposure sadness energy appetite "
    "conflict partner parent child school friend weekend morning evening week plan"
).split()
TOPICS = (
    "anxiety management|sleep hygiene|work stress|family conflict|grief|self-esteem|"
    "panic attacks|relationship issues|anger management|motivation|social anxiety|"
    "boundaries|trauma processing|substance use|mindfulness practice|career change|"
    "parenting|loneliness|perfectionism|burnout"
).split("|")


def words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


@dataclass
class Dataset:
    therapist_ids: list[uuid.UUID] = field(default_factory=list)
    therapist_emails: list[str] = field(default_factory=list)
    patient_ids: list[uuid.UUID] = field(default_factory=list)
    session_ids: list[uuid.UUID] = field(default_factory=list)
    transcript_session_ids: list[uuid.UUID] = field(default_factory=list)


def _note_content(rng: random.Random, topics: list[str]) -> dict[str, Any]:
    return {
        "key_topics": topics,
        "topic_summary": words(rng, 40, 60),
        "strategies": [
            {
                "name": rng.choice(["CBT reframing", "Box breathing", "Journaling"]),
                "category": "coping",
                "description": words(rng, 10, 20),
                "context": words(rng, 5, 10),
            }
            for _ in range(rng.randint(1, 3))
        ],
        "action_items": [
            {
                "task": words(rng, 4, 8),
                "category": "homework",
                "details": words(rng, 5, 12),
            }
            for _ in range(rng.randint(1, 3))
        ],
        "therapist_notes": words(rng, 150, 200),
        "patient_summary": words(rng, 100, 150),
        "risk_flags": (
            [{"type": "self-harm", "evidence": words(rng, 5, 10), "severity": "LOW"}]
            if rng.random() < 0.03
            else []
        ),
    }


async def build(conn: asyncpg.Connection, password_hash: str, seed: int = 7) -> Dataset:
    """Insert the data set unless it is already there; return its IDs."""
    rng = random.Random(seed)
    keyring = get_keyring()
    ds = Dataset()
    now = datetime.now(UTC).replace(microsecond=0)

    users: list[tuple[Any, ...]] = []
    for t in range(THERAPISTS):
        uid = uuid.UUID(int=rng.getrandbits(128))
        ds.therapist_ids.append(uid)
        email = f"bench-therapist-{t}@example.test"
        ds.therapist_emails.append(email)
        users.append(
            (
                uid,
                email,
                password_hash,
                f"Bench{t}",
                "Therapist",
                Role.THERAPIST.value,
                True,
                True,
                now,
                now,
                DEFAULT_PRACTICE_ID,
            )
        )
    patients: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    consents: list[tuple[Any, ...]] = []
    for p in range(PATIENTS):
        pid = uuid.UUID(int=rng.getrandbits(128))
        ds.patient_ids.append(pid)
        therapist = ds.therapist_ids[p % THERAPISTS]
        patients.append(
            (
                pid,
                f"Patient {p:04d} {rng.choice(WORDS).title()}",
                f"bench-patient-{p}@example.test",
                keyring.encrypt(f"+1 555 {p:04d}"),
                keyring.encrypt("1985-06-15"),
                therapist,
                now,
                now,
                DEFAULT_PRACTICE_ID,
            )
        )
        links.append((pid, therapist, now))
        for kind in ("RECORDING", "AI_PROCESSING"):
            consents.append((uuid.uuid4(), pid, kind, True, "bench", therapist, now))

    sessions: list[tuple[Any, ...]] = []
    notes: list[tuple[Any, ...]] = []
    metrics: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    transcripts: list[tuple[Any, ...]] = []
    per_patient = SESSIONS // PATIENTS
    for i, pid in enumerate(ds.patient_ids):
        therapist = ds.therapist_ids[i % THERAPISTS]
        for k in range(per_patient):
            sid = uuid.UUID(int=rng.getrandbits(128))
            ds.session_ids.append(sid)
            # spread over the last year; the last two of each patient upcoming
            upcoming = k >= per_patient - 2
            offset = (
                -timedelta(days=rng.randint(1, 30))
                if upcoming
                else timedelta(days=rng.randint(1, 365), hours=rng.randint(0, 10))
            )
            date = now - offset
            if upcoming:
                attendance, status = Attendance.SCHEDULED, SessionStatus.SCHEDULED
            else:
                attendance = rng.choices(
                    [Attendance.COMPLETED, Attendance.CANCELLED, Attendance.NO_SHOW],
                    weights=[85, 10, 5],
                )[0]
                status = (
                    SessionStatus.PROCESSED
                    if attendance is Attendance.COMPLETED
                    else SessionStatus.SCHEDULED
                )
            duration = rng.choice([45, 50, 60])
            sessions.append(
                (
                    sid,
                    pid,
                    therapist,
                    date,
                    duration,
                    attendance.value,
                    status.value,
                    now,
                    now,
                )
            )
            if status is SessionStatus.PROCESSED:
                topics = rng.sample(TOPICS, rng.randint(3, 7))
                mood = rng.choice(list(Mood))
                notes.append(
                    (
                        uuid.UUID(int=rng.getrandbits(128)),
                        sid,
                        1,
                        NoteSource.AI.value,
                        keyring.encrypt(json.dumps(_note_content(rng, topics))),
                        mood.value,
                        rng.choice(list(MoodTrajectory)).value,
                        "gpt-4o",
                        date + timedelta(hours=1),
                    )
                )
                metrics.append(
                    (
                        sid,
                        therapist,
                        pid,
                        date,
                        attendance.value,
                        duration,
                        mood.score,
                        json.dumps(topics),
                        2,
                        2,
                        False,
                        now,
                    )
                )
                events.append((sid, SessionStatus.PROCESSED.value, None, date))
                if len(transcripts) < TRANSCRIPTS:
                    text = words(rng, 5800, 6200)
                    segs = segments(text)
                    transcripts.append(
                        (
                            uuid.UUID(int=rng.getrandbits(128)),
                            sid,
                            keyring.encrypt(text),
                            keyring.encrypt(json.dumps(segs)),
                            "en",
                            "whisper-1",
                            date + timedelta(minutes=30),
                        )
                    )
                    ds.transcript_session_ids.append(sid)

    async with conn.transaction():
        await conn.copy_records_to_table(
            "users",
            records=users,
            columns=[
                "id",
                "email",
                "password_hash",
                "first_name",
                "last_name",
                "role",
                "is_verified",
                "is_active",
                "created_at",
                "updated_at",
                "practice_id",
            ],
        )
        await conn.copy_records_to_table(
            "patients",
            records=patients,
            columns=[
                "id",
                "name",
                "email",
                "phone",
                "date_of_birth",
                "created_by_id",
                "created_at",
                "updated_at",
                "practice_id",
            ],
        )
        await conn.copy_records_to_table(
            "patient_therapists",
            records=links,
            columns=["patient_id", "therapist_id", "assigned_at"],
        )
        await conn.copy_records_to_table(
            "patient_consents",
            records=consents,
            columns=[
                "id",
                "patient_id",
                "kind",
                "granted",
                "form_version",
                "recorded_by_id",
                "recorded_at",
            ],
        )
        await conn.copy_records_to_table(
            "therapy_sessions",
            records=sessions,
            columns=[
                "id",
                "patient_id",
                "therapist_id",
                "session_date",
                "duration_minutes",
                "attendance",
                "status",
                "created_at",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "session_notes",
            records=notes,
            columns=[
                "id",
                "session_id",
                "version",
                "source",
                "content",
                "session_mood",
                "mood_trajectory",
                "model",
                "created_at",
            ],
        )
        await conn.copy_records_to_table(
            "session_metrics",
            records=metrics,
            columns=[
                "session_id",
                "therapist_id",
                "patient_id",
                "session_date",
                "attendance",
                "duration_minutes",
                "mood_score",
                "topics",
                "strategies_count",
                "action_items_count",
                "has_risk_flags",
                "updated_at",
            ],
        )
        await conn.copy_records_to_table(
            "session_status_events",
            records=events,
            columns=["session_id", "status", "previous_status", "at"],
        )
        await conn.copy_records_to_table(
            "transcripts",
            records=transcripts,
            columns=[
                "id",
                "session_id",
                "text",
                "segments",
                "language",
                "model",
                "created_at",
            ],
        )
        await conn.execute(f"CREATE TABLE {MARKER_TABLE} (seed int)")
        await conn.execute(f"INSERT INTO {MARKER_TABLE} VALUES ({seed})")
    await conn.execute("ANALYZE")
    return ds


def segments(text: str) -> list[dict[str, Any]]:
    """The transcript cut into ~15-word segments of ~5 s, two speakers taking
    turns: about 400 for 6,000 words, as Whisper returns them."""
    spoken = text.split()
    out = []
    for i in range(0, len(spoken), SEGMENT_WORDS):
        n = i // SEGMENT_WORDS
        out.append(
            {
                "start": n * 5.0,
                "end": n * 5.0 + 4.8,
                "speaker": "therapist" if n % 4 < 2 else "patient",
                "text": " ".join(spoken[i : i + SEGMENT_WORDS]),
            }
        )
    return out


async def exists(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", MARKER_TABLE))


async def outdated(conn: asyncpg.Connection) -> bool:
    """A data set of an earlier version of this module is in the database."""
    for name in OLD_MARKERS:
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", name):
            return True
    return False


async def clear(conn: asyncpg.Connection) -> None:
    """Empty the bench database's tables (only called when an earlier data set's
    marker proves the database is the benchmark's own)."""
    tables = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'alembic_version'"
    )
    names = ", ".join(f'"{t["tablename"]}"' for t in tables)
    # the audit table refuses TRUNCATE by trigger: lift it for this database only
    await conn.execute("SET session_replication_role = replica")
    await conn.execute(f"TRUNCATE {names} CASCADE")
    await conn.execute("SET session_replication_role = DEFAULT")
    for name in OLD_MARKERS:
        await conn.execute(f"DROP TABLE IF EXISTS {name}")
