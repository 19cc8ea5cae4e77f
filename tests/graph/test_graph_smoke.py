from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from settings import Settings
from tests.conftest import GQL
from tests.factories import (
    create_notes,
    create_patient,
    create_session,
    create_transcript,
    create_user,
    token_for,
)

NESTED = """
query {
  patients(first: 5) {
    totalCount
    edges { node { id name therapists { id } sessions(first: 5) {
      totalCount
      edges { node { id notes { keyTopics therapistNotes formatted(format: SOAP) }
                     transcript { text segments { text } } patient { name } } } } } }
  }
}
"""


async def test_nested_patients_sessions_notes(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, name="Ada Lovelace")
    s = await create_session(db, patient, therapist)
    await create_notes(db, s)
    await create_transcript(db, s, "I slept badly.")

    body = await gql(NESTED, token=token_for(settings, therapist))

    assert "errors" not in body, body
    conn = body["data"]["patients"]
    assert conn["totalCount"] == 1
    node = conn["edges"][0]["node"]
    assert node["name"] == "Ada Lovelace"
    sess = node["sessions"]["edges"][0]["node"]
    assert node["sessions"]["totalCount"] == 1
    assert sess["notes"]["keyTopics"] == ["sleep", "work stress"]
    assert sess["transcript"]["text"] == "I slept badly."
    assert sess["notes"]["formatted"].startswith("Subjective\n")
