"""The deterministic risk screen on its own test set (tests/risk/phrasings.py)."""

from __future__ import annotations

import pytest

from db.enums import RiskSeverity
from services.risk_screen import Segment, pieces, screen
from tests.risk.phrasings import (
    FIFTH_ROUND_HIGH,
    FIFTH_ROUND_LOOKALIKES,
    FOURTH_ROUND_HIGH,
    FOURTH_ROUND_LOOKALIKES,
    HIGH_RISK,
    LONG_TURNS,
    LOOKALIKES,
    LOWERED,
    SECOND_ROUND_HIGH,
    SECOND_ROUND_LOOKALIKES,
    SEVENTH_ROUND_HIGH,
    SEVENTH_ROUND_LOOKALIKES,
    SIXTH_ROUND_HIGH,
    SIXTH_ROUND_LOOKALIKES,
    THIRD_ROUND_HIGH,
    THIRD_ROUND_LOOKALIKES,
)

VIOLENCE = {"abuse_neglect", "intimate_partner_violence"}


def _kinds_at(
    text: str, severity: RiskSeverity, role: str | None = "CLIENT"
) -> set[str]:
    flags = screen([Segment(index=0, text=text, role=role)])
    return {f.kind for f in flags if f.severity is severity}


def _same_family(kind: str, found: set[str]) -> bool:
    return kind in found or (kind in VIOLENCE and bool(found & VIOLENCE))


def test_the_set_is_as_large_as_promised() -> None:
    assert len(HIGH_RISK) + len(LONG_TURNS) >= 150
    assert len(LOOKALIKES) >= 80


@pytest.mark.parametrize(("kind", "text"), HIGH_RISK + LONG_TURNS)
def test_every_high_risk_phrasing_is_flagged_high(kind: str, text: str) -> None:
    # given a client segment and no model at all; then the screen says HIGH
    assert _same_family(kind, _kinds_at(text, RiskSeverity.HIGH)), text


@pytest.mark.parametrize(("kind", "text"), HIGH_RISK[:40])
def test_unlabelled_text_counts_as_the_clients(kind: str, text: str) -> None:
    assert _same_family(kind, _kinds_at(text, RiskSeverity.HIGH, role=None))


@pytest.mark.parametrize(
    "text",
    SECOND_ROUND_HIGH
    + THIRD_ROUND_HIGH
    + FOURTH_ROUND_HIGH
    + FIFTH_ROUND_HIGH
    + SIXTH_ROUND_HIGH
    + SEVENTH_ROUND_HIGH,
)
def test_the_second_round_is_flagged_high(text: str) -> None:
    assert _kinds_at(text, RiskSeverity.HIGH), text


def test_the_share_of_lookalikes_wrongly_flagged_high_stays_at_zero() -> None:
    everything = [
        *LOOKALIKES,
        *SECOND_ROUND_LOOKALIKES,
        *THIRD_ROUND_LOOKALIKES,
        *FOURTH_ROUND_LOOKALIKES,
        *FIFTH_ROUND_LOOKALIKES,
        *SIXTH_ROUND_LOOKALIKES,
        *SEVENTH_ROUND_LOOKALIKES,
    ]
    wrongly_high = [t for t in everything if _kinds_at(t, RiskSeverity.HIGH)]
    # measured share written in README ("The risk screen"): 0 of 200
    assert wrongly_high == []


@pytest.mark.parametrize(("text", "kind"), LOWERED)
def test_denials_and_reported_speech_are_flagged_lower(text: str, kind: str) -> None:
    flags = {f.kind: f.severity for f in screen([Segment(0, text, "CLIENT")])}
    assert flags.get(kind) in (RiskSeverity.LOW, RiskSeverity.MEDIUM), flags
    assert RiskSeverity.HIGH not in flags.values()


def test_the_therapists_screening_question_is_no_disclosure() -> None:
    segments = [
        Segment(0, "Have you had any thoughts of killing yourself?", "THERAPIST"),
        Segment(1, "No, never.", "CLIENT"),
    ]
    flags = screen(segments)
    assert [f.severity for f in flags] == [RiskSeverity.LOW]


def test_a_first_person_disclosure_under_a_therapist_label_stays_high() -> None:
    # diarisation may give the client's words the therapist's label
    (flag,) = screen([Segment(0, "I just want to kill myself.", "THERAPIST")])
    assert flag.severity is RiskSeverity.HIGH


def test_the_clients_quote_comes_first_and_is_verbatim() -> None:
    segments = [
        Segment(0, "You said you want to kill yourself. Tell me more.", "THERAPIST"),
        Segment(3, "Well. Yeah... I want to kill myself, most nights.", "CLIENT"),
    ]
    (flag,) = screen(segments)
    assert flag.severity is RiskSeverity.HIGH
    assert flag.quotes[0].segment_index == 3
    assert flag.quotes[0].quote in segments[1].text
    assert flag.quotes[0].quote == "I want to kill myself, most nights."
    assert flag.quotes[1].severity is RiskSeverity.LOW  # the therapist's words


def test_a_long_run_on_turn_is_cut_into_verbatim_pieces() -> None:
    turn = " ".join(["we talked about work and the weekend and my sister"] * 20)
    turn += " and I have been cutting myself again " + turn
    cut = pieces(turn)
    assert all(p in turn and len(p) <= 400 for p in cut)
    (flag,) = screen([Segment(7, turn, "CLIENT")])
    assert flag.kind == "self_harm"
    assert flag.severity is RiskSeverity.HIGH
    assert "cutting myself" in flag.quotes[0].quote


def test_stored_segment_records_are_read_as_segments() -> None:
    records = [
        {"index": 4, "role": "CLIENT", "text": "i wnat to kil myslef", "start": 1.0}
    ]
    (flag,) = screen(records)
    assert flag.quotes[0].segment_index == 4
    assert flag.type == "suicidal ideation"
