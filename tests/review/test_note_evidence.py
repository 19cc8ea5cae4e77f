"""A therapist's edit keeps the evidence of the items it leaves as they were."""

from __future__ import annotations

from db.enums import RiskSeverity, RiskSource
from services.notes import ActionItem, Evidence, NoteContent, RiskFlag, Strategy, Topic

QUOTE = Evidence(segment_index=3, quote="I breathe slowly", start=1.0, verified=True)
BASE = NoteContent(
    key_topics=["sleep", "work"],
    topics=[Topic(name="sleep", evidence=[QUOTE])],
    strategies=[Strategy(name="Breathing", category="relaxation", evidence=[QUOTE])],
    action_items=[ActionItem(task="Diary", category="homework", evidence=[QUOTE])],
    risk_flags=[
        RiskFlag(
            type="suicidal ideation",
            evidence="x",
            severity=RiskSeverity.HIGH,
            source=RiskSource.SCREEN,
            quotes=[QUOTE],
            verified=True,
        )
    ],
)


def test_unchanged_items_keep_evidence_and_added_ones_have_none() -> None:
    edited = BASE.merged(
        {
            "key_topics": ["sleep", "family"],
            "strategies": [
                {"name": "Breathing", "category": "relaxation", "description": ""},
                {"name": "Walks", "category": "behavioral", "description": "daily"},
            ],
            "risk_flags": [
                {"type": "suicidal ideation", "evidence": "x", "severity": "HIGH"},
                {"type": "self-harm", "evidence": "scratches", "severity": "MEDIUM"},
            ],
        }
    )

    assert [t.evidence for t in edited.topic_list()] == [[QUOTE], []]
    assert [s.evidence for s in edited.strategies] == [[QUOTE], []]
    assert edited.action_items[0].evidence == [QUOTE]  # not part of the edit
    kept, added = edited.risk_flags
    assert (kept.source, kept.verified, kept.quotes) == (
        RiskSource.SCREEN,
        True,
        [QUOTE],
    )
    assert (added.source, added.verified, added.quotes) == (
        RiskSource.THERAPIST,
        False,
        [],
    )


def test_older_notes_without_topics_read_their_key_topics_without_evidence() -> None:
    old = NoteContent.from_dict({"key_topics": ["grief"]})
    assert old.topic_list() == [Topic(name="grief", evidence=[])]
