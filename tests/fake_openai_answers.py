"""Answers of the fake OpenAI server, made from the request itself: an
instance of the request's own JSON schema, filled in from the transcript in
the user message.

The transcript is read as the app sends it (``[index] ROLE: text`` lines, or
plain text). Steering markers in it (a test writes them into a pasted
transcript or registers them as an audio file's transcript):

- ``[topics: a, b]``: the key topics; otherwise the topic words found
  (``TOPIC_WORDS``), in order of first appearance.
- ``[mood: LOW]``, ``[trajectory: WORSENING]``: the mood enums (otherwise
  from mood words).
- ``[risk: self-harm]`` or a risk phrase (``RISK_PHRASES``): a risk flag whose
  evidence quotes the sentence it is in (the marker itself removed);
  ``[severity: MEDIUM]`` sets its severity (HIGH otherwise).
- ``[miss the risk]``: no risk flag, whatever the transcript says.
- ``[invalid json]``: every answer is broken JSON; ``[invalid json once]``:
  only the first (before any repair round).
- ``[refuse]``: the model refuses (the ``refusal`` field).

Generic rules for any schema: enums take the steered value when the
property's name matches (``mood``, ``trajectory``, ``severity``), else their
first value; ``anyOf`` takes its first non-null branch; strings named like
quotes (``quote``, ``evidence``, ``excerpt``) quote the item's sentence
verbatim and integers named ``*index*`` give that sentence's segment index;
arrays get ``minItems`` items at least, one otherwise (topics and risks: one
per topic / risk).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fake_openai_schema import resolve

TOPIC_WORDS = {
    "stress": "stress",
    "work": "work",
    "job": "work",
    "sleep": "sleep",
    "anxi": "anxiety",
    "panic": "panic",
    "family": "family",
    "mother": "family",
    "father": "family",
    "partner": "relationships",
    "relationship": "relationships",
    "alcohol": "alcohol use",
    "drink": "alcohol use",
    "grief": "grief",
    "school": "school",
    "money": "finances",
}
RISK_PHRASES = {
    "kill myself": "suicidal ideation",
    "end my life": "suicidal ideation",
    "suicid": "suicidal ideation",
    "hurt myself": "self-harm",
    "cutting myself": "self-harm",
    "hurt him": "harm to others",
    "hurt her": "harm to others",
}
# a part with no topic word: dropped again when parts are merged
FALLBACK_TOPIC = "general check-in"
LOW_WORDS = ("hopeless", "awful", "terrible", "sad", "depressed", "miserable")
HIGH_WORDS = ("great", "happy", "better", "hopeful", "good week")
_MARKER = re.compile(r"\[(topics|mood|trajectory|risk|severity):\s*([^\]]*)\]", re.I)
_FLAGS = re.compile(r"\[(miss the risk|invalid json once|invalid json|refuse)\]", re.I)
_LINE = re.compile(r"^\[(\d+)\]\s*(?:([A-Z]+|[^:\]]{1,40}):\s*)?(.*)$")
_QUOTE_NAMES = ("quote", "evidence", "excerpt")


@dataclass
class Sentence:
    index: int
    text: str


@dataclass
class Steer:
    sentences: list[Sentence]
    topics: list[tuple[str, Sentence]]
    risks: list[tuple[str, Sentence]]
    mood: str
    trajectory: str | None
    severity: str
    flags: set[str] = field(default_factory=set)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", _FLAGS.sub("", _MARKER.sub("", text))).strip()


def read_transcript(content: str) -> Steer:
    markers = {k.lower(): v.strip() for k, v in _MARKER.findall(content)}
    flags = {f.lower() for f in _FLAGS.findall(content)}
    sentences: list[Sentence] = []
    raw_lines: list[tuple[int, str]] = []
    for n, line in enumerate(content.splitlines()):
        match = _LINE.match(line.strip())
        if match:
            raw_lines.append((int(match.group(1)), match.group(3)))
        elif line.strip():
            raw_lines.append((n, line))
    for index, text in raw_lines:
        if _clean(text):
            sentences.append(Sentence(index, _clean(text)))
    if not sentences:
        sentences = [Sentence(0, _clean(content) or "The session.")]
    merged = _merged_parts(content)
    topics: list[tuple[str, Sentence]] = []
    if "topics" in markers:
        for name in (t.strip() for t in markers["topics"].split(",")):
            if name:
                topics.append((name, _find(sentences, name)))
    elif merged is not None:
        topics = [(t, sentences[0]) for t in merged["topics"]]
    else:
        found: dict[str, tuple[int, Sentence]] = {}
        for s in sentences:
            low = s.text.lower()
            for word, topic in TOPIC_WORDS.items():
                at = low.find(word)
                if at >= 0 and topic not in found:
                    found[topic] = (s.index * 10_000 + at, s)
        topics = [(t, s) for t, (_, s) in sorted(found.items(), key=lambda x: x[1][0])]
    risks: list[tuple[str, Sentence]] = []
    for raw_index, text in raw_lines:
        if "risk" in markers and re.search(r"\[risk:", text, re.I):
            risks.append((markers["risk"], Sentence(raw_index, _clean(text))))
    for s in sentences:
        for phrase, kind in RISK_PHRASES.items():
            if phrase in s.text.lower() and all(r[1].index != s.index for r in risks):
                risks.append((kind, s))
    if merged is not None:
        # merging: the parts' flags, not the words of their JSON
        risks = [(kind, Sentence(0, quote)) for kind, quote in merged["risks"]]
    if "miss the risk" in flags:
        risks = []
    whole = " ".join(s.text.lower() for s in sentences)
    mood = markers.get("mood", "").upper()
    if not mood:
        mood = (
            "LOW"
            if any(w in whole for w in LOW_WORDS)
            else ("POSITIVE" if any(w in whole for w in HIGH_WORDS) else "NEUTRAL")
        )
    return Steer(
        sentences=sentences,
        topics=topics or [(FALLBACK_TOPIC, sentences[0])],
        risks=risks,
        mood=mood,
        trajectory=markers.get("trajectory", "").upper() or None,
        severity=markers.get("severity", "").upper() or "HIGH",
        flags=flags,
    )


def _find(sentences: list[Sentence], name: str) -> Sentence:
    for s in sentences:
        if name.lower() in s.text.lower():
            return s
    return sentences[0]


def _merged_parts(content: str) -> dict[str, Any] | None:
    """The merge prompt's parts (``Part N:`` + JSON): their topics and risks."""
    if not content.startswith("Part 1:"):
        return None
    topics: list[str] = []
    risks: list[tuple[str, str]] = []
    for chunk in re.split(r"^Part \d+:\n", content, flags=re.M):
        try:
            part = json.loads(chunk)
        except ValueError:
            continue
        for t in part.get("key_topics", []):
            if t not in topics and t != FALLBACK_TOPIC:
                topics.append(t)
        for r in part.get("risk_flags", []):
            risks.append((r.get("type", "risk"), r.get("evidence", "")))
    return {"topics": topics, "risks": risks}


def instance(schema: dict[str, Any], steer: Steer) -> Any:
    """A value conforming to ``schema``, filled in from ``steer``."""
    return _value(schema, schema, "", steer, steer.sentences[0], 0)


def _value(
    root: dict[str, Any], node: Any, key: str, steer: Steer, focus: Sentence, depth: int
) -> Any:
    if depth > 40 or not isinstance(node, dict):
        return None
    if "$ref" in node:
        return _value(root, resolve(root, node["$ref"]), key, steer, focus, depth + 1)
    if "anyOf" in node:
        branches = [b for b in node["anyOf"] if not _is_null(root, b)] or node["anyOf"]
        return _value(root, branches[0], key, steer, focus, depth + 1)
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return _enum(node["enum"], key, steer)
    types = node.get("type")
    kind = (
        next((t for t in types if t != "null"), "null")
        if isinstance(types, list)
        else types
    )
    low = key.lower()
    if kind == "object":
        props = node.get("properties", {})
        return {
            k: _value(root, v, k, steer, focus, depth + 1) for k, v in props.items()
        }
    if kind == "array":
        return _array(root, node, low, steer, focus, depth)
    if kind == "string":
        return _string(node, low, steer, focus)
    if kind == "integer":
        return focus.index if "index" in low else int(node.get("minimum", 0))
    if kind == "number":
        return float(node.get("minimum", 0))
    if kind == "boolean":
        return bool(steer.risks) if "risk" in low else True
    return None


def _is_null(root: dict[str, Any], node: Any) -> bool:
    if isinstance(node, dict) and "$ref" in node:
        node = resolve(root, node["$ref"])
    return isinstance(node, dict) and node.get("type") == "null"


def _enum(values: list[Any], key: str, steer: Steer) -> Any:
    low = key.lower()
    wanted: str | None = None
    if "trajectory" in low:
        wanted = steer.trajectory or "STABLE"
    elif "mood" in low:
        wanted = steer.mood
    elif "severity" in low:
        wanted = steer.severity
    return wanted if wanted in values else values[0]


def _array(
    root: dict[str, Any],
    node: dict[str, Any],
    low: str,
    steer: Steer,
    focus: Sentence,
    depth: int,
) -> list[Any]:
    items = node.get("items", {})
    if "risk" in low:
        pairs = steer.risks
    elif "topic" in low:
        pairs = steer.topics
    else:
        pairs = [(low, focus)]
    pairs = pairs[: node.get("maxItems", len(pairs))]
    while len(pairs) < node.get("minItems", 0):
        pairs = [*pairs, (low, focus)]
    out = []
    for name, sentence in pairs:
        named = "topic" in low or "risk" in low
        sub = (
            Steer(**{**steer.__dict__, "topics": [(name, sentence)]})
            if named
            else steer
        )
        value = _value(root, items, low.rstrip("s"), sub, sentence, depth + 1)
        if isinstance(value, str) and ("topic" in low or "risk" in low):
            value = name
        elif isinstance(value, dict):
            for k in value:
                if k in ("type", "name") and ("risk" in low or "topic" in low):
                    value[k] = name
        out.append(value)
    return out


def _string(node: dict[str, Any], low: str, steer: Steer, focus: Sentence) -> str:
    fmt = node.get("format")
    if fmt == "date":
        return "2026-01-01"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    if any(q in low for q in _QUOTE_NAMES):
        return focus.text
    topics = ", ".join(t for t, _ in steer.topics)
    if "summary" in low:
        return f"The session was about {topics}."
    if "note" in low:
        return f"Discussed {topics}; mood {steer.mood.lower()}."
    return f"{low.replace('_', ' ') or 'value'} about {steer.topics[0][0]}"
