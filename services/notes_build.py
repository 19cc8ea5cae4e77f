"""From the model's draft and the transcript's segments to the stored note:
quotes verified, unsupported items dropped and counted, the risk screen's flags
merged with the model's (services/evidence.py, services/risk_screen.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.models import Transcript
from services.evidence import Cite, by_index, keep_supported, merge_flags
from services.notes import ActionItem, NoteContent, RiskFlag, Strategy, Topic
from services.risk_screen import Segment, as_segments, screen

_LABEL = re.compile(
    r"^\s*(?P<label>therapist|counsell?or|clinician|client|patient|t|c|p)\s*:\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
_ROLES = {"therapist": "THERAPIST", "counselor": "THERAPIST", "counsellor": "THERAPIST",
          "clinician": "THERAPIST", "t": "THERAPIST", "client": "CLIENT",
          "patient": "CLIENT", "c": "CLIENT", "p": "CLIENT"}  # fmt: skip


def pasted_segments(text: str) -> list[Segment]:
    """Segments of a transcript stored without any: a labelled line
    (``Therapist:``, ``Client:``) is one segment, lines after it continue it,
    unlabelled text becomes one segment per sentence (no role)."""
    out: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _LABEL.match(line)
        if match:
            out.append(
                (match.group("rest").strip(), _ROLES[match.group("label").lower()])
            )
        elif out and out[-1][1] is not None:
            out[-1] = (f"{out[-1][0]} {line.strip()}", out[-1][1])
        else:
            out.extend((s.strip(), None) for s in _SENTENCE.split(line) if s.strip())
    return [Segment(i, t, role) for i, (t, role) in enumerate(out) if t]


def segments_of(transcript: Transcript) -> list[Segment]:
    """The stored segments, or the pasted text cut into segments."""
    if transcript.segments:
        return as_segments(transcript.segments)
    return pasted_segments(transcript.text or "")


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
    topic_items = getattr(draft, "topics", None)
    topics: list[tuple[str, list[Cite] | None]]
    if topic_items is not None:
        topics = [(t.name, _cites(t, "evidence") or []) for t in topic_items]
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
