"""The permission classes of schema/permissions.py answer exactly as the
checks they replaced: the same code, the same message, before the arguments
are looked at; and they print nothing into the schema."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from resolvers.ids import encode_id
from schema import build_schema
from settings import Settings
from tests.conftest import GQL
from tests.factories import create_patient, create_user, token_for

EXTRACT = "mutation($s: ID!) { extractNotes(sessionId: $s) { id } }"
FROM_TEXT = """
mutation($p: ID!) { createSessionFromTranscript(patientId: $p, transcript: "x") {
  id } }
"""
ALERTS = "{ riskAlerts { totalCount } }"
SESSION = "query($id: ID!) { session(id: $id) { id } }"
PATIENTS = "{ patients(first: 1000) { totalCount } }"


def _error(body: dict[str, object]) -> tuple[str, str]:
    errors = body["errors"]
    assert isinstance(errors, list)
    assert len(errors) == 1
    return errors[0]["extensions"]["code"], errors[0]["message"]


async def test_role_checks_keep_their_codes_and_messages(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    account = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, therapist, user_id=account.id)
    as_patient = token_for(settings, account)
    pid = encode_id("Patient", patient.id)
    # an ID that does not decode: the role is refused before it is read
    bad = "not-an-id"

    assert _error(await gql(EXTRACT, {"s": bad}, token=as_patient)) == (
        "FORBIDDEN",
        "Not allowed",
    )
    assert _error(await gql(FROM_TEXT, {"p": pid}, token=as_patient)) == (
        "FORBIDDEN",
        "Not allowed",
    )
    assert _error(await gql(ALERTS, token=as_patient)) == (
        "FORBIDDEN",
        "Not available to patients",
    )
    assert _error(await gql(SESSION, {"id": bad})) == (
        "UNAUTHENTICATED",
        "Authentication required",
    )
    # signed in first, then the page arguments
    assert _error(await gql(PATIENTS))[0] == "UNAUTHENTICATED"
    by_therapist = await gql(PATIENTS, token=token_for(settings, therapist))
    assert _error(by_therapist)[0] == "BAD_USER_INPUT"


def test_permissions_print_no_directive() -> None:
    sdl = str(build_schema())
    for name in ("IsAuthenticated", "IsClinician", "NotPatient"):
        assert name not in sdl
