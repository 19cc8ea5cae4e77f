"""Open sign-up creates a practice; SIGNUP_MODE=invite refuses it; an
invitation's round trip through a real SMTP server (aiosmtpd); bad tokens."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import Message

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from db.base import utcnow
from db.enums import Role
from db.models import Invitation, Patient, Practice, User
from resolvers.ids import encode_id
from services import mail
from settings import Settings
from tests.auth.conftest import Mailbox, body_of
from tests.auth.test_signup import SIGNUP, signup_input
from tests.conftest import GQL, error_codes
from tests.factories import create_patient, create_user, token_for

ME = "query { me { role isPracticeAdmin practice { id name } } practice { name } }"
INVITE = """
mutation($e: String!, $r: Role!, $p: ID) {
  inviteUser(email: $e, role: $r, patientId: $p) { id email role expiresAt acceptedAt }
}
"""
ACCEPT = """
mutation($t: String!) {
  acceptInvitation(token: $t, password: "Correct-Horse-Battery-9",
                   firstName: "Grace", lastName: "Hopper") {
    accessToken user { id email role isVerified practice { id } }
  }
}
"""
INVITATION = "query($id: ID!) { node(id: $id) { ... on Invitation { acceptedAt } } }"
MY_RECORD = "query($id: ID!) { patient(id: $id) { id name } }"


def invitation_token(message: Message) -> str:
    found = re.search(r"/accept-invitation\?token=([A-Za-z0-9_\-]+)", body_of(message))
    assert found, "no invitation link in the mail"
    return found.group(1)


async def _count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def invite_gql(
    mail_settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    client_ip: str,
) -> AsyncIterator[GQL]:
    """The app with SIGNUP_MODE=invite (the production default)."""
    settings = mail_settings.model_copy(update={"signup_mode": "invite"})
    app = create_app(settings, session_factory=session_factory)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield GQL(c)
    await mail.drain()


def test_signup_mode_defaults_to_invite_in_production_only() -> None:
    prod = Settings(
        environment="production",
        jwt_secret_key="p" * 40,
        phi_encryption_key="a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=",
    )

    assert prod.open_signup is False
    assert Settings(environment="development").open_signup is True
    assert Settings(environment="test").open_signup is True
    assert (
        Settings(environment="development", signup_mode="INVITE").open_signup is False
    )
    assert prod.model_copy(update={"signup_mode": "open"}).open_signup is True


async def test_open_signup_creates_a_practice_its_therapist_administers(
    mail_gql: GQL, db: AsyncSession
) -> None:
    named = await mail_gql(
        SIGNUP,
        {"input": signup_input(email="inv-solo@example.com", practiceName="Calm")},
    )
    unnamed = await mail_gql(
        SIGNUP, {"input": signup_input(email="inv-two@example.com")}
    )

    me = await mail_gql(ME, token=named["data"]["signup"]["accessToken"])
    other = await mail_gql(ME, token=unnamed["data"]["signup"]["accessToken"])
    assert me["data"]["me"]["role"] == "THERAPIST"
    assert me["data"]["me"]["isPracticeAdmin"] is True
    assert me["data"]["me"]["practice"]["name"] == "Calm"
    assert me["data"]["practice"] == {"name": "Calm"}
    assert other["data"]["me"]["practice"]["name"] == "Ada Lovelace's practice"
    assert other["data"]["me"]["practice"]["id"] != me["data"]["me"]["practice"]["id"]


async def test_invite_mode_refuses_signup_and_creates_nothing(
    invite_gql: GQL, db: AsyncSession
) -> None:
    users, practices = await _count(db, User), await _count(db, Practice)

    body = await invite_gql(SIGNUP, {"input": signup_input(email="inv-no@example.com")})

    assert error_codes(body) == ["FORBIDDEN"]
    assert "invitation" in body["errors"][0]["message"]
    assert body["data"] is None
    assert await _count(db, User) == users
    assert await _count(db, Practice) == practices


async def test_an_invitation_round_trip_creates_a_verified_account_in_the_practice(
    invite_gql: GQL, smtp: Mailbox, db: AsyncSession, mail_settings: Settings
) -> None:
    # given a practice's admin in invite mode
    admin = await create_user(db, role=Role.ADMIN)
    admin_token = token_for(mail_settings, admin)

    # when they invite a therapist and the mailed link is accepted
    invited = await invite_gql(
        INVITE, {"e": "inv-Grace@Example.com", "r": "THERAPIST"}, token=admin_token
    )
    message = await smtp.wait_for("inv-grace@example.com")
    token = invitation_token(message)
    accepted = await invite_gql(ACCEPT, {"t": token})
    again = await invite_gql(ACCEPT, {"t": token})
    invitation_id = invited["data"]["inviteUser"]["id"]
    seen = await invite_gql(INVITATION, {"id": invitation_id}, token=admin_token)

    # then the account is the admin's practice's, verified, and usable
    assert invited["data"]["inviteUser"]["email"] == "inv-grace@example.com"
    assert invited["data"]["inviteUser"]["acceptedAt"] is None
    assert f"https://app.example.com/accept-invitation?token={token}" in body_of(
        message, "html"
    )
    assert "errors" not in accepted, accepted
    payload = accepted["data"]["acceptInvitation"]
    assert payload["user"]["email"] == "inv-grace@example.com"
    assert payload["user"]["role"] == "THERAPIST"
    assert payload["user"]["isVerified"] is True
    assert payload["user"]["practice"]["id"] == encode_id("Practice", admin.practice_id)
    me = await invite_gql(ME, token=payload["accessToken"])
    assert me["data"]["me"]["isPracticeAdmin"] is False
    # single use, and stored only as a hash
    assert error_codes(again) == ["BAD_USER_INPUT"]
    assert again["errors"][0]["extensions"]["field"] == "token"
    assert seen["data"]["node"]["acceptedAt"] is not None
    hashes = list(await db.scalars(select(Invitation.token_hash)))
    assert token not in hashes


async def test_a_therapist_invites_their_own_patient_and_the_record_is_linked(
    mail_gql: GQL, smtp: Mailbox, db: AsyncSession, mail_settings: Settings
) -> None:
    therapist = await create_user(db)
    patient = await create_patient(db, therapist, name="Ada Patient")
    pid = encode_id("Patient", patient.id)

    await mail_gql(
        INVITE,
        {"e": "inv-ada.patient@example.com", "r": "PATIENT", "p": pid},
        token=token_for(mail_settings, therapist),
    )
    message = await smtp.wait_for("inv-ada.patient@example.com")
    accepted = await mail_gql(ACCEPT, {"t": invitation_token(message)})
    token = accepted["data"]["acceptInvitation"]["accessToken"]
    record = await mail_gql(MY_RECORD, {"id": pid}, token=token)

    assert accepted["data"]["acceptInvitation"]["user"]["role"] == "PATIENT"
    assert record["data"]["patient"] == {"id": pid, "name": "Ada Patient"}
    await db.refresh(patient)
    assert patient.user_id is not None


async def test_expired_used_and_forged_tokens_create_nothing(
    mail_gql: GQL, smtp: Mailbox, db: AsyncSession, mail_settings: Settings
) -> None:
    admin = await create_user(db, role=Role.ADMIN)
    token = token_for(mail_settings, admin)
    await mail_gql(INVITE, {"e": "inv-late@example.com", "r": "ADMIN"}, token=token)
    late = invitation_token(await smtp.wait_for("inv-late@example.com"))
    await db.execute(
        update(Invitation)
        .where(Invitation.email == "inv-late@example.com")
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    users = await _count(db, User)

    expired = await mail_gql(ACCEPT, {"t": late})
    forged = await mail_gql(ACCEPT, {"t": "x" * 43})
    empty = await mail_gql(ACCEPT, {"t": ""})

    for body in (expired, forged, empty):
        assert error_codes(body) == ["BAD_USER_INPUT"]
        assert body["errors"][0]["extensions"]["field"] == "token"
    assert await _count(db, User) == users


async def test_who_may_invite_whom(
    mail_gql: GQL, db: AsyncSession, mail_settings: Settings
) -> None:
    therapist = await create_user(db)
    colleague = await create_user(db)
    mine = await create_patient(db, therapist)
    theirs = await create_patient(db, colleague)
    taken = await create_user(db, email="inv-taken@example.com")
    linked_user = await create_user(db, role=Role.PATIENT)
    linked = await create_patient(db, therapist, user_id=linked_user.id)
    admin = await create_user(db, role=Role.ADMIN)
    t = token_for(mail_settings, therapist)

    def pid(p: Patient) -> str:
        return encode_id("Patient", p.id)

    cases = [
        ({"e": "inv-n1@example.com", "r": "THERAPIST"}, t, "FORBIDDEN"),
        ({"e": "inv-n2@example.com", "r": "PATIENT", "p": pid(theirs)}, t, "NOT_FOUND"),
        ({"e": "inv-n3@example.com", "r": "PATIENT"}, t, "BAD_USER_INPUT"),
        ({"e": taken.email, "r": "PATIENT", "p": pid(mine)}, t, "CONFLICT"),
        ({"e": "inv-n4@example.com", "r": "PATIENT", "p": pid(linked)}, t, "CONFLICT"),
        ({"e": "not-an-email", "r": "PATIENT", "p": pid(mine)}, t, "BAD_USER_INPUT"),
        (
            {"e": "inv-n5@example.com", "r": "ADMIN", "p": pid(mine)},
            token_for(mail_settings, admin),
            "BAD_USER_INPUT",
        ),
        (
            {"e": "inv-n6@example.com", "r": "PATIENT", "p": pid(mine)},
            token_for(mail_settings, linked_user),
            "FORBIDDEN",
        ),
        (
            {"e": taken.email.upper(), "r": "ADMIN"},
            token_for(mail_settings, admin),
            "CONFLICT",
        ),
    ]
    invitations = await _count(db, Invitation)

    answers = [await mail_gql(INVITE, v, token=tok) for v, tok, _ in cases]

    assert [error_codes(a) for a in answers] == [[c] for *_, c in cases]
    assert await _count(db, Invitation) == invitations


async def test_an_openly_signed_up_patient_account_joins_the_linking_practice(
    mail_gql: GQL, db: AsyncSession, mail_settings: Settings
) -> None:
    # given a PATIENT account from open sign-up (a practice of its own) and a
    # therapist's patient record
    signed = await mail_gql(
        SIGNUP, {"input": signup_input(email="inv-pat@example.com", role="PATIENT")}
    )
    account = signed["data"]["signup"]["user"]
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    pid = encode_id("Patient", patient.id)
    link = """
    mutation($p: ID!, $u: ID!) { linkPatientAccount(patientId: $p, userId: $u) { id } }
    """
    practices = await _count(db, Practice)

    linked = await mail_gql(
        link, {"p": pid, "u": account["id"]}, token=token_for(mail_settings, therapist)
    )
    record = await mail_gql(
        MY_RECORD, {"id": pid}, token=signed["data"]["signup"]["accessToken"]
    )

    assert "errors" not in linked, linked
    assert record["data"]["patient"]["id"] == pid
    moved = await db.scalar(select(User).where(User.email == "inv-pat@example.com"))
    assert moved is not None
    await db.refresh(moved)
    assert moved.practice_id == therapist.practice_id
    assert await _count(db, Practice) == practices - 1  # its empty practice went


async def test_the_practice_lists_its_members_and_invitations_to_its_admins(
    mail_gql: GQL, db: AsyncSession, mail_settings: Settings
) -> None:
    admin = await create_user(db, role=Role.ADMIN)
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    await mail_gql(
        INVITE,
        {
            "e": "inv-listed@example.com",
            "r": "PATIENT",
            "p": encode_id("Patient", patient.id),
        },
        token=token_for(mail_settings, therapist),
    )
    doc = "query { practice { members { id } invitations { email } } }"

    by_admin = await mail_gql(doc, token=token_for(mail_settings, admin))
    by_colleague = await mail_gql(
        doc, token=token_for(mail_settings, await create_user(db))
    )

    members = {m["id"] for m in by_admin["data"]["practice"]["members"]}
    assert {encode_id("User", u.id) for u in (admin, therapist)} <= members
    assert by_admin["data"]["practice"]["invitations"] == [
        {"email": "inv-listed@example.com"}
    ]
    colleague = by_colleague["data"]["practice"]
    assert encode_id("User", admin.id) not in {m["id"] for m in colleague["members"]}
    assert colleague["invitations"] == []
