"""Transcript segments: their stored shape, speaker roles, pasted text parsed
into segments, and the transcript as the extraction prompt reads it.

A stored segment (``transcripts.segments``, encrypted JSON like the text) is::

    {"index": 0, "start": 0.0 | null, "end": 4.2 | null,
     "speaker": "A" | "Therapist" | null,
     "role": "THERAPIST" | "CLIENT" | "OTHER" | null, "text": "…"}

``index`` is the segment's position, fixed when the transcript is stored:
later work (notes evidence) may refer to it. Records stored before indexes
existed read their position as the index.

Speaker roles: the first speaker label heard is THERAPIST, the second CLIENT,
any further one OTHER (a therapist usually opens the session); pasted labels
name their role themselves (``Therapist:``, ``T:``, ``Dr. Lee:`` -> THERAPIST;
``Client:``, ``Patient:``, ``C:``, ``P:`` -> CLIENT), and other names
(``John:``) get the roles no label named, in the order they speak. ``setSpeakerRoles`` /
``swapSpeakerRoles`` correct the mapping of a stored transcript.
"""

from __future__ import annotations

import re
from typing import Any

from db.enums import SpeakerRole

CHARS_PER_TOKEN = 4
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_WORDY = re.compile(r"\w", re.UNICODE)
# "[00:01:23] " or "(01:23) " before a label
_STAMP = re.compile(r"^\s*[\[(]?(?:(\d{1,2}):)?(\d{1,2}):(\d{2}(?:\.\d+)?)[\])]?\s*")
_LABEL = re.compile(r"^\s*(?P<label>[^\W\d][\w .'()-]{0,40}?)\s*:\s*(?P<rest>.*)$")
_THERAPIST_WORDS = {"therapist", "counselor", "counsellor", "clinician", "t"}
_CLIENT_WORDS = {"client", "patient", "c", "p"}
_DOCTOR = re.compile(r"^(dr|doctor|prof)\.?\s+\S", re.IGNORECASE)
# "Name:" lines that are headings of notes, not speakers
_NOT_SPEAKERS = {"note", "notes", "summary", "date", "time", "session", "subject"}
_NOT_SPEAKERS |= {"re", "ps", "plan", "assessment", "goal", "goals", "homework"}
_NOT_SPEAKERS |= {"location", "duration", "topic", "topics", "transcript"}


def segment(
    index: int,
    text: str,
    *,
    start: float | None = None,
    end: float | None = None,
    speaker: str | None = None,
    role: SpeakerRole | None = None,
) -> dict[str, Any]:
    return {
        "index": index,
        "start": start,
        "end": end,
        "speaker": speaker,
        "role": role.value if role is not None else None,
        "text": text,
    }


def has_words(text: str) -> bool:
    return bool(_WORDY.search(text))


def sentences(text: str) -> list[str]:
    """``text`` cut after sentence ends and at line breaks."""
    out: list[str] = []
    for line in text.splitlines():
        out.extend(p.strip() for p in _SENTENCE.split(line) if p.strip())
    return out


def sentence_segments(text: str, first_index: int = 0) -> list[dict[str, Any]]:
    return [segment(first_index + i, s) for i, s in enumerate(sentences(text))]


def label_role(label: str) -> SpeakerRole | None:
    """The role a pasted speaker label names itself, if it names one."""
    words = re.findall(r"[\w']+", label.lower())
    if _DOCTOR.match(label.strip()) or any(w in _THERAPIST_WORDS for w in words):
        return SpeakerRole.THERAPIST
    if any(w in _CLIENT_WORDS for w in words):
        return SpeakerRole.CLIENT
    return None


def is_speaker(label: str) -> bool:
    """A role word, or a name of at most three capitalised words (``John``,
    ``Mary Ann``, ``Speaker 2``) that is no heading (``Note``, ``Plan``)."""
    if label_role(label) is not None:
        return True
    words = label.replace(".", " ").split()
    if not 1 <= len(words) <= 3 or label.strip().lower() in _NOT_SPEAKERS:
        return False
    return all(w[0].isupper() or w.isdigit() for w in words)


def parse_pasted(text: str) -> list[dict[str, Any]]:
    """Segments of a pasted transcript: each labelled line (``Therapist:``,
    ``C:``, ``Dr. Lee:``, ``John:``, optionally after a ``[mm:ss]`` time) is
    one speaker segment, unlabelled lines after it continue it; text before
    any label becomes sentence segments. Labels that name no role get the
    roles no label named, in the order they speak (then OTHER)."""
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        stamp = _STAMP.match(line)
        start = None
        body = line
        if stamp and _LABEL.match(line[stamp.end() :]):
            hours, minutes, seconds = stamp.groups()
            start = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
            body = line[stamp.end() :]
        match = _LABEL.match(body)
        if match and is_speaker(match.group("label")):
            label = match.group("label").strip()
            if current is not None and current["start"] is not None and start:
                current["end"] = start
            current = segment(
                len(out),
                match.group("rest").strip(),
                start=start,
                speaker=label,
                role=label_role(label),
            )
            out.append(current)
        elif current is not None:
            current["text"] = f"{current['text']} {line.strip()}".strip()
        else:
            out.extend(sentence_segments(line, len(out)))
    kept = [s for s in out if has_words(s["text"])]
    return reindexed(_fill_roles(kept))


def _fill_roles(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    claimed = {s["role"] for s in segments if s["role"]}
    free = [r for r in (SpeakerRole.THERAPIST, SpeakerRole.CLIENT) if r not in claimed]
    roles: dict[str, SpeakerRole] = {}
    for s in segments:
        label = s["speaker"]
        if label is not None and s["role"] is None and label not in roles:
            roles[label] = free.pop(0) if free else SpeakerRole.OTHER
    return [
        {**s, "role": roles[s["speaker"]].value} if s["speaker"] in roles else s
        for s in segments
    ]


def default_roles(labels: list[str | None]) -> dict[str, SpeakerRole]:
    """First label heard -> THERAPIST, second -> CLIENT, the rest OTHER."""
    roles: dict[str, SpeakerRole] = {}
    order = (SpeakerRole.THERAPIST, SpeakerRole.CLIENT)
    for label in labels:
        if label is not None and label not in roles:
            roles[label] = order[len(roles)] if len(roles) < 2 else SpeakerRole.OTHER
    return roles


def with_roles(
    segments: list[dict[str, Any]], roles: dict[str, SpeakerRole]
) -> list[dict[str, Any]]:
    """Copies of ``segments`` with each labelled one's role from ``roles``."""
    out = []
    for s in segments:
        label = s.get("speaker")
        role = roles.get(label) if isinstance(label, str) else None
        out.append({**s, "role": role.value if role else s.get("role")})
    return out


def reindexed(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**s, "index": i} for i, s in enumerate(segments)]


def for_prompt(text: str, segments: list[dict[str, Any]]) -> str:
    """The transcript as the model reads it: one line per segment with its
    index and the speaker's role (``[3] CLIENT: …``), or the text itself when
    there are no segments."""
    if not segments:
        return text
    lines = []
    for position, s in enumerate(segments):
        index = s.get("index", position)
        who = s.get("role") or s.get("speaker")
        words = str(s.get("text") or "").strip()
        lines.append(f"[{index}] {who}: {words}" if who else f"[{index}] {words}")
    return "\n".join(lines)


def split_transcript(text: str, token_budget: int) -> list[str]:
    """Cut at line (then word) boundaries into pieces within the budget."""
    limit = token_budget * CHARS_PER_TOKEN
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines() or [text]:
        pieces = [line] if len(line) <= limit else _wrap(line, limit)
        for piece in pieces:
            if size + len(piece) > limit and current:
                chunks.append("\n".join(current))
                current, size = [], 0
            current.append(piece)
            size += len(piece) + 1
    if current:
        chunks.append("\n".join(current))
    return chunks


def _wrap(line: str, limit: int) -> list[str]:
    out: list[str] = []
    words = line.split(" ")
    current = ""
    for word in words:
        while len(word) > limit:  # a "word" longer than the budget
            out.append(word[:limit])
            word = word[limit:]
        if current and len(current) + 1 + len(word) > limit:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out
