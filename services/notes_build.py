"""From the model's draft and the transcript's segments to the stored note:
quotes verified, unsupported items dropped and counted, the risk screen's flags
merged with the model's (services/evidence.py, services/risk_screen.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.models import Transcript
from services.evidence import Cite, by_index, keep_supported, merge_flags
from services.notes import ActionItem, NoteContent, RiskFlag, Strategy, Topic
from services.risk_screen import Segment, as_segments, screen
from services.segments import parse_pasted


def segments_of(transcript: Transcript) -> list[Segment]:
    """The stored segments (the ones the prompt named by index), or, for a
    transcript stored before segments were, the pasted text cut the same way."""
    if transcript.segments:
        return as_segments(transcript.segments)
    return as_segments(parse_pasted(transcript.text or ""))


def _cites(item: Any, name: str) -> list[Cite] | None:
    """The item's cites, or None when the draft was not asked for any."""
    value = getattr(item, name, None)
    if value is None or isinstance(value, str):
        return None
    return [Cite(int(c.segment_index), str(c.quote)) for c in value]


@dataclass
class Built:
    content: NoteContent
    unsupported_claims: int
    cited_quotes: int  # quotes the model gave (before any was dropped)
    verified_quotes: int


def build_content(draft: Any, segments: Sequence[Segment]) -> Built:
    """The note's content from a NotesDraft-shaped draft and the segments."""
    seg_map = by_index(segments)
    cited_topics = getattr(draft, "topic_evidence", None)
    topics: list[tuple[str, list[Cite] | None]]
    if cited_topics is not None:
        by_name: dict[str, list[Cite]] = {}
        for t in cited_topics:
            by_name.setdefault(t.name.strip().lower(), []).extend(
                _cites(t, "evidence") or []
            )
        topics = [(n, by_name.get(n.strip().lower(), [])) for n in draft.key_topics]
    else:
        topics = [(name, None) for name in draft.key_topics]
    strategies = [
        (s.model_dump(exclude={"evidence"}), _cites(s, "evidence"))
        for s in draft.strategies
    ]
    actions = [
        (a.model_dump(exclude={"evidence"}), _cites(a, "evidence"))
        for a in draft.action_items
    ]
    cited = [c for _, cs in (*topics, *strategies, *actions) if cs for c in cs]
    supported = keep_supported(
        [(n, cs) for n, cs in topics if cs is not None],
        [(v, cs) for v, cs in strategies if cs is not None],
        [(v, cs) for v, cs in actions if cs is not None],
        seg_map,
    )
    # items of a draft without evidence fields are kept as they are
    kept_topics = [Topic(name=n) for n, cs in topics if cs is None] + supported.topics
    kept_strategies = [Strategy(**v) for v, cs in strategies if cs is None]
    kept_actions = [ActionItem(**v) for v, cs in actions if cs is None]
    model_flags = [
        (
            RiskFlag(type=f.type, evidence=f.evidence, severity=f.severity),
            _cites(f, "quotes") or [],
        )
        for f in draft.risk_flags
    ]
    flags = merge_flags(model_flags, screen(segments), seg_map)
    evidence = [
        *(e for t in supported.topics for e in t.evidence),
        *(e for s in supported.strategies for e in s.evidence),
        *(e for a in supported.action_items for e in a.evidence),
    ]
    verified = len([e for e in evidence if e.verified])
    content = NoteContent(
        key_topics=[t.name for t in kept_topics],
        topics=kept_topics,
        topic_summary=draft.topic_summary,
        strategies=kept_strategies + supported.strategies,
        action_items=kept_actions + supported.action_items,
        therapist_notes=draft.therapist_notes,
        patient_summary=draft.patient_summary,
        risk_flags=flags,
    )
    return Built(content, supported.unsupported, len(cited), verified)
