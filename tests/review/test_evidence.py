"""The server's check of quotes, and the merge of screen and model flags."""

from __future__ import annotations

from db.enums import RiskSeverity, RiskSource
from services.evidence import Cite, by_index, keep_supported, merge_flags, quote_matches
from services.notes import RiskFlag
from services.risk_screen import Segment, screen

SEGMENTS = [
    Segment(0, "How was the week?", "THERAPIST"),
    Segment(
        1,
        "Honestly? I've been   sleeping badly, and work is a lot.",
        "CLIENT",
        3.0,
        7.5,
    ),
    Segment(2, "We could try box breathing before bed.", "THERAPIST", 7.5, 9.0),
    Segment(3, "Sometimes I think everyone would be better off without me.", "CLIENT"),
]


def test_case_whitespace_and_punctuation_do_not_matter_but_words_do() -> None:
    text = SEGMENTS[1].text
    assert quote_matches("I've been sleeping badly", text)
    assert quote_matches("i ve been SLEEPING badly, and work", text)
    assert quote_matches("I have been sleeping badly and work is a lot", text)  # close
    assert quote_matches("I have been sleeping well and work is quiet", text) is False
    assert quote_matches("I've been sleeping badley, and work is a lot", text)  # typo
    assert quote_matches("sleeping well", text) is False
    assert quote_matches("", text) is False


def test_items_without_a_verified_quote_are_dropped_and_counted() -> None:
    segs = by_index(SEGMENTS)
    kept = keep_supported(
        topics=[
            ("sleep", [Cite(1, "sleeping badly")]),
            ("divorce", [Cite(1, "my divorce")]),
        ],
        strategies=[
            (
                {"name": "Box breathing", "category": "relaxation"},
                [Cite(2, "box breathing")],
            ),
            ({"name": "Journaling", "category": "cognitive"}, [Cite(9, "journal")]),
        ],
        action_items=[({"task": "Walk daily", "category": "activity"}, [])],
        segments=segs,
    )
    assert [t.name for t in kept.topics] == ["sleep"]
    assert kept.topics[0].evidence[0].start == 3.0
    assert [s.name for s in kept.strategies] == ["Box breathing"]
    assert kept.action_items == []
    assert kept.unsupported == 3


def test_screen_and_model_flags_merge_and_a_flag_is_never_dropped() -> None:
    segs = by_index(SEGMENTS)
    model = [
        (
            RiskFlag(
                type="Suicidal ideation (passive)",
                evidence="x",
                severity=RiskSeverity.MEDIUM,
            ),
            [Cite(3, "everyone would be better off without me")],
        ),
        (
            RiskFlag(type="substance use", evidence="y", severity=RiskSeverity.LOW),
            [Cite(1, "I drink every night")],
        ),
    ]
    merged = merge_flags(model, screen(SEGMENTS), segs)
    both, ai = merged
    assert both.source is RiskSource.BOTH
    assert both.severity is RiskSeverity.HIGH  # the screen's, the higher
    assert both.verified
    assert all(q.verified for q in both.quotes)
    assert ai.source is RiskSource.AI
    assert ai.verified is False  # kept, not dropped
    only_screen = merge_flags([], screen(SEGMENTS), segs)
    assert [(f.source, f.severity, f.verified) for f in only_screen] == [
        (RiskSource.SCREEN, RiskSeverity.HIGH, True)
    ]
    assert only_screen[0].quotes[0].segment_index == 3
