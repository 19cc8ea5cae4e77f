"""Rendering a note version as SOAP, DAP or BIRP text (deterministic).

Mapping (the README repeats it):

SOAP  Subjective  <- topic summary, key topics
      Objective   <- session mood, mood trajectory
      Assessment  <- therapist notes, risk flags
      Plan        <- strategies, action items
DAP   Data        <- topic summary, key topics, session mood, mood trajectory
      Assessment  <- therapist notes, risk flags
      Plan        <- strategies, action items
BIRP  Behavior    <- topic summary, key topics, session mood
      Intervention<- strategies
      Response    <- mood trajectory, therapist notes, risk flags
      Plan        <- action items

The patient summary is written for the patient and appears in no format.
Lists keep their stored order; empty parts read "None recorded."
"""

from __future__ import annotations

import enum

from db.enums import Mood, MoodTrajectory
from services.notes import NoteContent

NONE = "None recorded."


class NoteFormat(enum.StrEnum):
    SOAP = "SOAP"
    DAP = "DAP"
    BIRP = "BIRP"


def _words(value: enum.Enum) -> str:
    return str(value.value).replace("_", " ").capitalize()


def _topics(c: NoteContent) -> str:
    return "Key topics: " + (", ".join(c.key_topics) if c.key_topics else "none")


def _summary(c: NoteContent) -> list[str]:
    return [c.topic_summary or NONE, _topics(c)]


def _mood(mood: Mood) -> str:
    return f"Session mood: {_words(mood)}."


def _trajectory(trajectory: MoodTrajectory) -> str:
    return f"Mood trajectory: {_words(trajectory)}."


def _risks(c: NoteContent) -> list[str]:
    if not c.risk_flags:
        return ["Risk flags: none identified."]
    return ["Risk flags:"] + [
        f"- {f.type} ({f.severity.value}): {f.evidence}" for f in c.risk_flags
    ]


def _assessment(c: NoteContent) -> list[str]:
    return [c.therapist_notes or NONE, *_risks(c)]


def _strategies(c: NoteContent) -> list[str]:
    if not c.strategies:
        return ["Strategies: " + NONE]
    lines = ["Strategies:"]
    for s in c.strategies:
        line = f"- {s.name} [{s.category}]: {s.description}"
        lines.append(line + (f" ({s.context})" if s.context else ""))
    return lines


def _actions(c: NoteContent) -> list[str]:
    if not c.action_items:
        return ["Action items: " + NONE]
    lines = ["Action items:"]
    for a in c.action_items:
        lines.append(
            f"- {a.task} [{a.category}]" + (f": {a.details}" if a.details else "")
        )
    return lines


def render(
    content: NoteContent, mood: Mood, trajectory: MoodTrajectory, fmt: NoteFormat
) -> str:
    """The note as plain text with one heading per section."""
    sections: list[tuple[str, list[str]]]
    if fmt is NoteFormat.SOAP:
        sections = [
            ("Subjective", _summary(content)),
            ("Objective", [_mood(mood), _trajectory(trajectory)]),
            ("Assessment", _assessment(content)),
            ("Plan", _strategies(content) + _actions(content)),
        ]
    elif fmt is NoteFormat.DAP:
        sections = [
            ("Data", [*_summary(content), _mood(mood), _trajectory(trajectory)]),
            ("Assessment", _assessment(content)),
            ("Plan", _strategies(content) + _actions(content)),
        ]
    else:
        sections = [
            ("Behavior", [*_summary(content), _mood(mood)]),
            ("Intervention", _strategies(content)),
            ("Response", [_trajectory(trajectory), *_assessment(content)]),
            ("Plan", _actions(content)),
        ]
    return "\n\n".join(f"{title}\n" + "\n".join(lines) for title, lines in sections)
