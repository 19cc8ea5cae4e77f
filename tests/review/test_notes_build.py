"""The note built from a model's draft: unverified items dropped and counted,
the screen's flags merged, a flag never dropped."""

from __future__ import annotations

from db.enums import Mood, MoodTrajectory, RiskSeverity, RiskSource
from services.extraction import ActionItem, Cite, NotesDraft, RiskFlag, Strategy
from services.extraction import TopicEvidence as TE
from services.notes_build import build_content
from services.risk_screen import Segment

SEGMENTS = [
    Segment(0, "How has your sleep been?", "THERAPIST", 0.0, 2.0),
    Segment(1, "Bad. I lie awake worrying about work until three.", "CLIENT", 2.0, 6.0),
    Segment(2, "Let's try a wind-down routine with box breathing.", "THERAPIST"),
    Segment(
        3, "Honestly some nights I think they'd be better off without me.", "CLIENT"
    ),
]


def _draft(**changes: object) -> NotesDraft:
    values: dict[str, object] = {
        "key_topics": ["sleep", "work stress", "divorce"],
        "topic_evidence": [
            TE(name="sleep", evidence=[Cite(segment_index=1, quote="I lie awake")]),
            TE(
                name="work stress",
                evidence=[Cite(segment_index=1, quote="worrying about work")],
            ),
            TE(
                name="divorce",
                evidence=[Cite(segment_index=1, quote="my divorce papers")],
            ),
        ],
        "topic_summary": "Sleep and work.",
        "strategies": [
            Strategy(
                name="Box breathing",
                category="relaxation",
                description="",
                context=None,
                evidence=[Cite(segment_index=2, quote="box breathing")],
            ),
            Strategy(
                name="Journaling",
                category="cognitive",
                description="",
                context=None,
                evidence=[Cite(segment_index=7, quote="journal")],
            ),
        ],
        "action_items": [
            ActionItem(
                task="Wind-down routine",
                category="homework",
                details=None,
                evidence=[Cite(segment_index=2, quote="a wind-down routine")],
            ),
        ],
        "session_mood": Mood.LOW,
        "mood_trajectory": MoodTrajectory.STABLE,
        "therapist_notes": "x",
        "patient_summary": "y",
        "risk_flags": [],
    }
    values.update(changes)
    return NotesDraft.model_validate(values)


def test_unverified_items_are_dropped_and_counted_with_segment_times() -> None:
    built = build_content(_draft(), SEGMENTS)

    assert [t.name for t in built.content.topics] == ["sleep", "work stress"]
    assert built.content.key_topics == ["sleep", "work stress"]
    assert built.content.topics[0].evidence[0].start == 2.0
    assert built.content.topics[0].evidence[0].verified
    assert [s.name for s in built.content.strategies] == ["Box breathing"]
    assert [a.task for a in built.content.action_items] == ["Wind-down routine"]
    assert built.unsupported_claims == 2  # "divorce" and "Journaling"
    assert (built.cited_quotes, built.verified_quotes) == (6, 4)


def test_a_missed_disclosure_comes_from_the_screen_and_a_model_flag_is_kept() -> None:
    model_flag = RiskFlag(
        type="self-harm",
        evidence="scratches",
        severity=RiskSeverity.MEDIUM,
        quotes=[Cite(segment_index=1, quote="I scratch my arms")],
    )

    built = build_content(_draft(risk_flags=[model_flag]), SEGMENTS)

    screen, ai = built.content.risk_flags
    assert (screen.source, screen.severity, screen.verified) == (
        RiskSource.SCREEN,
        RiskSeverity.HIGH,
        True,
    )
    assert screen.quotes[0].segment_index == 3
    assert (ai.source, ai.verified) == (RiskSource.AI, False)  # kept, unverified
