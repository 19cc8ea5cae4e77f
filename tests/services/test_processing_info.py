"""TherapySession.processing: models, tokens, audio seconds and cost from the
price table; for the patient's therapists only (FORBIDDEN for the PATIENT
role, NOT_FOUND for another therapist)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import Role
from db.models import SessionNotes
from resolvers.ids import encode_id
from services.prices import audio_cost
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.e2e.pipeline_helpers import wav
from tests.factories import create_patient, create_user, token_for
from tests.fake_openai import FakeOpenAI
from tests.services.conftest import process_upload

PROCESSING = """
query P($id: ID!) { session(id: $id) { processing {
  transcriptionModel extractionModel promptVersion inputTokens outputTokens
  audioSeconds costUsd } } }
"""


@pytest.mark.parametrize(
    ("transcription", "extraction"),
    [("gpt-4o-mini-transcribe", "gpt-4o-mini"), ("whisper-1", "on-prem-llm")],
)
async def test_the_therapist_sees_models_usage_and_cost_and_others_do_not(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    fake: FakeOpenAI,
    gql: GQL,
    transcription: str,
    extraction: str,
) -> None:
    # given a processed 30 s upload of a patient with a portal account
    fake.configure(models=["on-prem-llm"])
    settings = ai_settings.model_copy(
        update={"transcription_model": transcription, "extraction_model": extraction}
    )
    therapist = await create_user(db)
    other = await create_user(db)
    account = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=account.id)
    row = await process_upload(
        db, session_factory, settings, therapist, patient.id, wav(30.0)
    )
    notes = (await db.execute(select(SessionNotes))).scalar_one()
    gid = encode_id("TherapySession", row.id)

    # when the therapist, another therapist and the patient ask
    mine = await gql(PROCESSING, {"id": gid}, token=token_for(settings, therapist))
    theirs = await gql(PROCESSING, {"id": gid}, token=token_for(settings, other))
    patients = await gql(PROCESSING, {"id": gid}, token=token_for(settings, account))

    # then the therapist reads the figures; the cost is the price table's
    # (null for a model without a price)
    info = mine["data"]["session"]["processing"]
    assert notes.input_tokens is not None
    assert notes.input_tokens > 0
    expected = None
    if notes.cost_usd is not None:
        minutes = audio_cost(transcription, 30.0)
        assert minutes == Decimal("0.001500")
        expected = float(minutes + notes.cost_usd)
    assert info == {
        "transcriptionModel": transcription,
        "extractionModel": extraction,
        "promptVersion": "notes-v2",
        "inputTokens": notes.input_tokens,
        "outputTokens": notes.output_tokens,
        "audioSeconds": 30.0,
        "costUsd": expected,
    }
    assert (expected is None) == (extraction == "on-prem-llm")
    # another therapist finds no session; the patient may not see it
    assert error_codes(theirs) == ["NOT_FOUND"]
    assert error_codes(patients) == ["FORBIDDEN"]
    assert patients["data"]["session"]["processing"] is None
