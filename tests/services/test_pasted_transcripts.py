"""Pasted transcripts become indexed segments with speaker roles; roles can
be corrected by the session's therapist only; text without words is refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.enums import SessionStatus
from db.models import AuditEvent, TherapySession
from resolvers.ids import encode_id
from services import pipeline
from services.segments import parse_pasted
from settings import Settings
from tests.conftest import GQL, error_codes
from tests.factories import create_patient, create_user, token_for
from tests.fake_openai import FakeOpenAI
from tests.services.conftest import never, ok_calls

FROM_TRANSCRIPT = """
mutation Make($patientId: ID!, $text: String!) {
  createSessionFromTranscript(patientId: $patientId, transcript: $text) { id }
}
"""
SEGMENTS = """
query S($id: ID!) { session(id: $id) { transcript { segments {
  index start end speaker role text } } } }
"""
SET_ROLES = """
mutation R($id: ID!, $roles: [SpeakerRoleInput!]!) {
  setSpeakerRoles(sessionId: $id, roles: $roles) {
    transcript { segments { speaker role } } }
}
"""
SWAP = """
mutation W($id: ID!) { swapSpeakerRoles(sessionId: $id) {
  transcript { segments { role } } } }
"""
PASTED = """Therapist: Good to see you. How was the week?
C: Hard. I couldn't sleep
and work was a lot.
Dr. Lee: Let's look at that.
Patient: Okay.
"""


def test_labelled_lines_become_speaker_segments() -> None:
    segments = parse_pasted(PASTED)
    assert [(s["index"], s["speaker"], s["role"]) for s in segments] == [
        (0, "Therapist", "THERAPIST"),
        (1, "C", "CLIENT"),
        (2, "Dr. Lee", "THERAPIST"),
        (3, "Patient", "CLIENT"),
    ]
    # an unlabelled line continues the turn before it
    assert segments[1]["text"] == "Hard. I couldn't sleep and work was a lot."
    assert {s["start"] for s in segments} == {None}


def test_named_speakers_take_the_roles_no_label_named() -> None:
    named = parse_pasted("Dr. Smith: Hello John.\nJohn: Hi.\nMom: He is fine.")
    two = parse_pasted("Alice: Welcome.\nBob: Thanks.\nAlice: So.")
    assert [(s["speaker"], s["role"]) for s in named] == [
        ("Dr. Smith", "THERAPIST"),
        ("John", "CLIENT"),
        ("Mom", "OTHER"),
    ]
    # without role words the first to speak is the therapist
    assert [s["role"] for s in two] == ["THERAPIST", "CLIENT", "THERAPIST"]


def test_unlabelled_text_becomes_sentences_and_times_are_read() -> None:
    plain = parse_pasted("We talked about sleep. It got better!\nNote: none")
    timed = parse_pasted("[00:05] T: Hi.\n[01:10] P: Hello.")
    assert [(s["index"], s["role"], s["text"]) for s in plain] == [
        (0, None, "We talked about sleep."),
        (1, None, "It got better!"),
        (2, None, "Note: none"),
    ]
    assert [(s["start"], s["end"], s["role"]) for s in timed] == [
        (5.0, 70.0, "THERAPIST"),
        (70.0, None, "CLIENT"),
    ]


async def test_pasted_transcript_is_processed_with_roles_in_the_prompt(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    ai_settings: Settings,
    fake: FakeOpenAI,
    gql: GQL,
) -> None:
    # given a pasted transcript of a therapist and a client
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(ai_settings, therapist)
    made = await gql(
        FROM_TRANSCRIPT,
        {"patientId": encode_id("Patient", patient.id), "text": PASTED},
        token=token,
    )
    gid = made["data"]["createSessionFromTranscript"]["id"]
    sid = (await db.execute(select(TherapySession.id))).scalar_one()

    # when extraction runs and the segments are read
    await pipeline.run_extraction(session_factory, ai_settings, sid, never)
    body = await gql(SEGMENTS, {"id": gid}, token=token)
    row = await db.get(TherapySession, sid, populate_existing=True)

    # then it is PROCESSED and the model read indexed, role-labelled lines
    assert row is not None
    assert row.status is SessionStatus.PROCESSED, row.error_message
    segments = body["data"]["session"]["transcript"]["segments"]
    assert segments[1] == {
        "index": 1,
        "start": None,
        "end": None,
        "speaker": "C",
        "role": "CLIENT",
        "text": "Hard. I couldn't sleep and work was a lot.",
    }
    prompt = ok_calls(fake, "chat")[0]["first_user"]
    assert prompt.splitlines() == [
        "[0] THERAPIST: Good to see you. How was the week?",
        "[1] CLIENT: Hard. I couldn't sleep and work was a lot.",
        "[2] THERAPIST: Let's look at that.",
        "[3] CLIENT: Okay.",
    ]


async def test_roles_are_corrected_by_the_therapist_and_no_one_else(
    db: AsyncSession, settings: Settings, gql: GQL
) -> None:
    # given a pasted session of one therapist, and another therapist
    owner = await create_user(db)
    other = await create_user(db)
    patient = await create_patient(db, owner)
    token = token_for(settings, owner)
    made = await gql(
        FROM_TRANSCRIPT,
        {"patientId": encode_id("Patient", patient.id), "text": PASTED},
        token=token,
    )
    gid = made["data"]["createSessionFromTranscript"]["id"]

    # when the owner names Dr. Lee OTHER, then swaps; and the other tries both
    roles = [{"speaker": "Dr. Lee", "role": "OTHER"}]
    named = await gql(SET_ROLES, {"id": gid, "roles": roles}, token=token)
    swapped = await gql(SWAP, {"id": gid}, token=token)
    unknown = await gql(
        SET_ROLES,
        {"id": gid, "roles": [{"speaker": "Nobody", "role": "CLIENT"}]},
        token=token,
    )
    outsider = token_for(settings, other)
    theirs = await gql(SET_ROLES, {"id": gid, "roles": roles}, token=outsider)
    their_swap = await gql(SWAP, {"id": gid}, token=outsider)

    # then the owner's changes hold, a label not in the transcript is
    # BAD_USER_INPUT, and the other therapist finds no such session
    segments = named["data"]["setSpeakerRoles"]["transcript"]["segments"]
    assert [s["role"] for s in segments] == ["THERAPIST", "CLIENT", "OTHER", "CLIENT"]
    assert [
        s["role"] for s in swapped["data"]["swapSpeakerRoles"]["transcript"]["segments"]
    ] == ["CLIENT", "THERAPIST", "OTHER", "THERAPIST"]
    assert unknown["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "roles",
    }
    assert error_codes(theirs) == ["NOT_FOUND"]
    assert error_codes(their_swap) == ["NOT_FOUND"]
    # and each of the owner's two changes is one UPDATE of the transcript's
    # segments, by the owner; the refused ones recorded nothing
    updates = (
        await db.execute(
            select(AuditEvent).where(
                AuditEvent.action == "UPDATE",
                AuditEvent.entity_type == "Transcript",
                AuditEvent.patient_id == patient.id,
            )
        )
    ).scalars()
    assert [(a.action, a.actor_id, list(a.fields)) for a in updates] == [
        ("UPDATE", owner.id, ["segments"]),
        ("UPDATE", owner.id, ["segments"]),
    ]


async def test_a_transcript_without_words_is_bad_user_input(
    db: AsyncSession, settings: Settings, gql: GQL
) -> None:
    # given a therapist and a patient
    therapist = await create_user(db)
    patient = await create_patient(db, therapist)
    token = token_for(settings, therapist)

    # when transcripts of labels and punctuation only are pasted
    answers = [
        await gql(
            FROM_TRANSCRIPT,
            {"patientId": encode_id("Patient", patient.id), "text": text},
            token=token,
        )
        for text in ("Therapist:\nClient: ...\n", "  \n\t", "—?!")
    ]

    # then each is BAD_USER_INPUT naming the argument, and nothing is stored
    for body in answers:
        assert body["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "transcript",
        }
    assert (await db.execute(select(TherapySession.id))).first() is None
