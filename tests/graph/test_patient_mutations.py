from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role
from db.models import AuditEvent, Patient, PatientTherapist
from resolvers.ids import encode_id
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_patient, create_user, token_for

CREATE = """
mutation($input: CreatePatientInput!) {
  createPatient(input: $input) { id name email phone dateOfBirth therapists { id } }
}
"""
UPDATE = """
mutation($id: ID!, $input: UpdatePatientInput!) {
  updatePatient(id: $id, input: $input) { id name email phone }
}
"""
ARCHIVE = "mutation($id: ID!) { archivePatient(id: $id) { id archivedAt } }"
LIST = """
query($all: Boolean) {
  patients(includeArchived: $all) { totalCount edges { node { id } } }
}
"""
ASSIGN = """
mutation($p: ID!, $t: ID!) { assignTherapist(patientId: $p, therapistId: $t) { id } }
"""
LINK = """
mutation($p: ID!, $u: ID!) { linkPatientAccount(patientId: $p, userId: $u) { id } }
"""
ME_PATIENT = "query($id: ID!) { patient(id: $id) { name } }"


def pid(patient: Patient) -> str:
    return encode_id("Patient", patient.id)


async def test_create_patient_makes_the_caller_its_therapist(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    variables = {
        "input": {
            "name": " Grace Hopper ",
            "email": "Grace@Example.com",
            "phone": "+1 555 0100",
            "dateOfBirth": "1990-12-09",
        }
    }

    body = await gql(CREATE, variables, token=token_for(settings, therapist))

    created = body["data"]["createPatient"]
    assert created["name"] == "Grace Hopper"
    assert created["email"] == "Grace@example.com"
    assert created["dateOfBirth"] == "1990-12-09"
    assert created["therapists"] == [{"id": encode_id("User", therapist.id)}]
    events = (await db.execute(select(AuditEvent.action, AuditEvent.entity_type))).all()
    assert ("CREATE", "Patient") in events


async def test_duplicate_email_among_own_patients_is_a_conflict(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    await create_patient(db, therapist, email="same@example.com")
    variables = {"input": {"name": "Other", "email": "SAME@example.com"}}

    body = await gql(CREATE, variables, token=token_for(settings, therapist))

    assert error_codes(body) == ["CONFLICT"]
    assert body["errors"][0]["extensions"]["field"] == "email"


async def test_bad_email_and_empty_name_are_bad_input(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    token = token_for(settings, therapist)

    bad_email = await gql(
        CREATE, {"input": {"name": "A", "email": "nope"}}, token=token
    )
    empty_name = await gql(CREATE, {"input": {"name": "  "}}, token=token)
    future = await gql(
        CREATE, {"input": {"name": "A", "dateOfBirth": "2999-01-01"}}, token=token
    )

    assert error_codes(bad_email) == ["BAD_USER_INPUT"]
    assert bad_email["errors"][0]["extensions"]["field"] == "email"
    assert empty_name["errors"][0]["extensions"]["field"] == "name"
    assert future["errors"][0]["extensions"]["field"] == "dateOfBirth"
    count = await db.scalar(
        select(PatientTherapist.patient_id).where(
            PatientTherapist.therapist_id == therapist.id
        )
    )
    assert count is None


async def test_update_patient_changes_only_given_fields(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, name="Old", phone="+1 555 0101")

    body = await gql(
        UPDATE,
        {"id": pid(patient), "input": {"name": "New"}},
        token=token_for(settings, therapist),
    )

    assert body["data"]["updatePatient"]["name"] == "New"
    assert body["data"]["updatePatient"]["phone"] == "+1 555 0101"


async def test_another_therapists_patient_is_not_found_and_malformed_id_bad_input(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    owner = await create_user(db)
    other = await create_user(db)
    patient = await create_patient(db, owner, name="Kept")
    token = token_for(settings, other)

    foreign = await gql(
        UPDATE, {"id": pid(patient), "input": {"name": "X"}}, token=token
    )
    malformed = await gql(
        UPDATE, {"id": "not-an-id!", "input": {"name": "X"}}, token=token
    )
    archived = await gql(ARCHIVE, {"id": pid(patient)}, token=token)

    assert error_codes(foreign) == ["NOT_FOUND"]
    assert error_codes(malformed) == ["BAD_USER_INPUT"]
    assert error_codes(archived) == ["NOT_FOUND"]
    await db.refresh(patient)
    assert patient.name == "Kept"
    assert patient.archived_at is None


async def test_archived_patients_leave_the_default_list(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    kept = await create_patient(db, therapist)
    gone = await create_patient(db, therapist)
    token = token_for(settings, therapist)

    archived = await gql(ARCHIVE, {"id": pid(gone)}, token=token)
    default = await gql(LIST, {}, token=token)
    everything = await gql(LIST, {"all": True}, token=token)

    assert archived["data"]["archivePatient"]["archivedAt"] is not None
    assert [e["node"]["id"] for e in default["data"]["patients"]["edges"]] == [
        pid(kept)
    ]
    assert everything["data"]["patients"]["totalCount"] == 2


async def test_assign_therapist_is_admin_only_and_needs_a_therapist(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    owner = await create_user(db)
    second = await create_user(db)
    admin = await create_user(db, role=Role.ADMIN)
    patient_user = await create_user(db, role=Role.PATIENT)
    patient = await create_patient(db, owner)
    as_therapist = {"p": pid(patient), "t": encode_id("User", second.id)}

    refused = await gql(ASSIGN, as_therapist, token=token_for(settings, owner))
    not_therapist = await gql(
        ASSIGN,
        {"p": pid(patient), "t": encode_id("User", patient_user.id)},
        token=token_for(settings, admin),
    )
    assigned = await gql(ASSIGN, as_therapist, token=token_for(settings, admin))
    seen = await gql(
        ME_PATIENT, {"id": pid(patient)}, token=token_for(settings, second)
    )

    assert error_codes(refused) == ["FORBIDDEN"]
    assert error_codes(not_therapist) == ["BAD_USER_INPUT"]
    assert not_therapist["errors"][0]["extensions"]["field"] == "therapistId"
    assert "errors" not in assigned
    assert seen["data"]["patient"]["name"] == patient.name


async def test_linked_patient_account_reads_only_its_record(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    account = await create_user(db, role=Role.PATIENT)
    mine = await create_patient(db, therapist)
    other = await create_patient(db, therapist)
    therapist_token = token_for(settings, therapist)

    wrong_role = await gql(
        LINK,
        {"p": pid(mine), "u": encode_id("User", therapist.id)},
        token=therapist_token,
    )
    linked = await gql(
        LINK,
        {"p": pid(mine), "u": encode_id("User", account.id)},
        token=therapist_token,
    )
    listed = await gql(LIST, {}, token=token_for(settings, account))
    foreign = await gql(
        ME_PATIENT, {"id": pid(other)}, token=token_for(settings, account)
    )

    assert error_codes(wrong_role) == ["BAD_USER_INPUT"]
    assert "errors" not in linked
    assert [e["node"]["id"] for e in listed["data"]["patients"]["edges"]] == [pid(mine)]
    assert foreign["data"]["patient"] is None


async def test_update_patient_tells_a_field_set_to_null_from_one_left_out(
    db: AsyncSession, gql: GQL, settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(
        db, therapist, name="Old", email="old@example.com", phone="+1 555 0101"
    )

    body = await gql(
        UPDATE,
        {"id": pid(patient), "input": {"name": "New", "phone": None}},
        token=token_for(settings, therapist),
    )

    assert body["data"]["updatePatient"] == {
        "id": pid(patient),
        "name": "New",
        "email": "old@example.com",
        "phone": None,
    }
    fields = (
        await db.execute(
            select(AuditEvent.fields).where(
                AuditEvent.action == "UPDATE", AuditEvent.entity_id == patient.id
            )
        )
    ).scalar_one()
    assert fields == ["name", "phone"]
