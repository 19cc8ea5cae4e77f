"""Evidence for every claim: the server's own check of the model's quotes, and
the merge of the risk screen's flags with the model's.

A quote counts as verified when, after normalising case, whitespace and
punctuation, it is contained in the segment it names, or is a close match:
rapidfuzz's ``fuzz.partial_ratio`` (the best-matching substring of the
segment) of at least ``FUZZY_THRESHOLD`` = 90 out of 100, for quotes of at
least ``MIN_FUZZY_CHARS`` characters (a short quote must match exactly: four
words can be "close" to almost anything). rapidfuzz is MIT-licensed, released
often, and its C++ core scores a 9,000-word transcript's quotes in
milliseconds.

Items without a verified quote are dropped from the note and counted in
``unsupported_claims``; a risk flag is never dropped: it is kept with
``verified: False``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from db.enums import RiskSeverity, RiskSource
from services.notes import ActionItem, Evidence, RiskFlag, Strategy, Topic
from services.risk_lexicon import AB, CMD, HO, IPV, LABELS, SH, SI, SUB
from services.risk_screen import ScreenFlag, Segment

FUZZY_THRESHOLD = 90
MIN_FUZZY_CHARS = 20
_RANK = {RiskSeverity.LOW: 0, RiskSeverity.MEDIUM: 1, RiskSeverity.HIGH: 2}
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, punctuation gone, whitespace collapsed ("I'm" -> "i m")."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def quote_matches(quote: str, segment_text: str) -> bool:
    """Whether ``quote`` is in the segment (normalised), or close to a part of it."""
    q, s = normalise(quote), normalise(segment_text)
    if not q or not s:
        return False
    if q in s:
        return True
    if len(q) < MIN_FUZZY_CHARS:
        return False
    return fuzz.partial_ratio(q, s) >= FUZZY_THRESHOLD


@dataclass(frozen=True)
class Cite:
    """What the model said a claim rests on."""

    segment_index: int
    quote: str


def verify(cites: Iterable[Cite], segments: Mapping[int, Segment]) -> list[Evidence]:
    """Each cite as Evidence, checked against the segment it names (a cite of
    a segment that does not exist is unverified), with the segment's times."""
    out = []
    for cite in cites:
        seg = segments.get(cite.segment_index)
        out.append(
            Evidence(
                segment_index=cite.segment_index,
                quote=cite.quote,
                start=seg.start if seg else None,
                end=seg.end if seg else None,
                verified=bool(seg and quote_matches(cite.quote, seg.text)),
            )
        )
    return out


def by_index(segments: Sequence[Segment]) -> dict[int, Segment]:
    return {s.index: s for s in segments}


@dataclass
class Supported:
    """The items that kept at least one verified quote, and how many did not."""

    topics: list[Topic]
    strategies: list[Strategy]
    action_items: list[ActionItem]
    unsupported: int


def keep_supported(
    topics: Sequence[tuple[str, list[Cite]]],
    strategies: Sequence[tuple[dict[str, Any], list[Cite]]],
    action_items: Sequence[tuple[dict[str, Any], list[Cite]]],
    segments: Mapping[int, Segment],
) -> Supported:
    dropped = 0
    kept_topics: list[Topic] = []
    for name, cites in topics:
        evidence = verify(cites, segments)
        if any(e.verified for e in evidence):
            kept_topics.append(Topic(name=name, evidence=evidence))
        else:
            dropped += 1
    kept_strategies: list[Strategy] = []
    for values, cites in strategies:
        evidence = verify(cites, segments)
        if any(e.verified for e in evidence):
            kept_strategies.append(Strategy(**values, evidence=evidence))
        else:
            dropped += 1
    kept_actions: list[ActionItem] = []
    for values, cites in action_items:
        evidence = verify(cites, segments)
        if any(e.verified for e in evidence):
            kept_actions.append(ActionItem(**values, evidence=evidence))
        else:
            dropped += 1
    return Supported(kept_topics, kept_strategies, kept_actions, dropped)


_KIND_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (CMD, re.compile(r"hallucinat|voices|psychos|command")),
    (SH, re.compile(r"self[- ]?harm|self[- ]?injur|cutting|burning")),
    (SI, re.compile(r"suicid|ideation|wish to die|death wish|kill (?:him|her)self")),
    (HO, re.compile(r"harm to others|homicid|violence toward|threat to others|others")),
    (IPV, re.compile(r"partner|domestic|intimate|spous")),
    (AB, re.compile(r"abuse|neglect|maltreat|safeguard|child protection")),
    (SUB, re.compile(r"overdose|substance|alcohol|drug|intoxica|withdrawal|opioid")),
]


def kind_of(model_type: str) -> str | None:
    """The screen's kind a model's free-text flag type names, if any."""
    lowered = model_type.lower()
    for kind, words in _KIND_WORDS:
        if words.search(lowered):
            return kind
    return None


def merge_flags(
    model_flags: Sequence[tuple[RiskFlag, list[Cite]]],
    screen_flags: Sequence[ScreenFlag],
    segments: Mapping[int, Segment],
) -> list[RiskFlag]:
    """The model's flags (verified, never dropped) merged with the screen's:
    one flag per kind found by both (BOTH, the higher severity, every quote),
    the rest as SCREEN or AI; most severe first."""
    out: list[RiskFlag] = []
    taken: set[int] = set()
    for screen in screen_flags:
        screen_quotes = verify(
            (Cite(q.segment_index, q.quote) for q in screen.quotes), segments
        )
        match = next(
            (
                i
                for i, (flag, _) in enumerate(model_flags)
                if i not in taken and kind_of(flag.type) == screen.kind
            ),
            None,
        )
        if match is None:
            out.append(
                RiskFlag(
                    type=LABELS[screen.kind],
                    evidence=screen.evidence,
                    severity=screen.severity,
                    source=RiskSource.SCREEN,
                    quotes=screen_quotes,
                    verified=any(e.verified for e in screen_quotes),
                )
            )
            continue
        taken.add(match)
        flag, cites = model_flags[match]
        quotes = verify(cites, segments) + screen_quotes
        out.append(
            flag.model_copy(
                update={
                    "severity": max(
                        flag.severity, screen.severity, key=_RANK.__getitem__
                    ),
                    "source": RiskSource.BOTH,
                    "quotes": quotes,
                    "verified": any(e.verified for e in quotes),
                    "evidence": flag.evidence or screen.evidence,
                }
            )
        )
    for i, (flag, cites) in enumerate(model_flags):
        if i in taken:
            continue
        quotes = verify(cites, segments)
        out.append(
            flag.model_copy(
                update={
                    "source": RiskSource.AI,
                    "quotes": quotes,
                    "verified": any(e.verified for e in quotes),
                }
            )
        )
    out.sort(key=lambda f: -_RANK[f.severity])
    return out
