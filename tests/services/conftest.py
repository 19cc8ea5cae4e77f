"""The fake OpenAI server and settings pointing at it, for the AI tests."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import TherapySession, User
from services import pipeline
from settings import Settings
from tests.fake_openai import FakeOpenAI


def never(exc: BaseException) -> bool:
    return False


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def ai_settings(settings: Settings, fake: FakeOpenAI, tmp_path: Path) -> Settings:
    fake.configure()
    return settings.model_copy(
        update={
            "openai_base_url": fake.base_url,
            "openai_api_key": "k",
            "openai_max_retries": 0,
            "storage_dir": tmp_path,
        }
    )


class Upload:
    """What the multipart parser hands the upload mutation."""

    def __init__(self, data: bytes, filename: str = "session.wav") -> None:
        self.filename = filename
        self.file = io.BytesIO(data)


async def process_upload(
    db: AsyncSession,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    therapist: User,
    patient_id: uuid.UUID,
    audio: bytes,
) -> TherapySession:
    """Upload ``audio`` and run both jobs in-process; the session, re-read."""
    ts = await pipeline.create_from_upload(
        db, settings, therapist, patient_id, Upload(audio), None, None
    )
    await db.commit()
    if await pipeline.run_transcription(factory, settings, ts.id, never):
        await pipeline.run_extraction(factory, settings, ts.id, never)
    row = await db.get(TherapySession, ts.id, populate_existing=True)
    assert row is not None
    return row


def ok_calls(fake: FakeOpenAI, endpoint: str) -> list[dict[str, Any]]:
    return [c for c in fake.calls() if c["endpoint"] == endpoint]
