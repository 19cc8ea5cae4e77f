"""The shape of a session note's ``content`` and its typed accessor.

``session_notes.content`` is ONE encrypted JSON document (EncryptedJSON). Every
writer (the extraction pipeline, ``updateSessionNotes``, ``seed-demo``) builds a
:class:`NoteContent` and stores ``content.to_dict()``; every reader calls
``NoteContent.from_dict(row.content)``. The dictionary has exactly these keys::

    {
      "key_topics":      ["sleep", "work stress"],             # list[str]
      "topic_summary":   "…",                                   # str
      "strategies":      [{"name": "…", "category": "…",
                           "description": "…", "context": "…" | null}],
      "action_items":    [{"task": "…", "category": "…", "details": "…" | null}],
      "therapist_notes": "…",                       # str, hidden from PATIENT
      "patient_summary": "…",                                   # str
      "risk_flags":      [{"type": "…", "evidence": "…",
                           "severity": "LOW" | "MEDIUM" | "HIGH"}]  # hidden too
    }

Mood and mood trajectory are columns of the row (``session_mood``,
``mood_trajectory``), not part of ``content``: analytics filter on them.
Missing keys read as empty, so older or partial documents stay readable.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from db.enums import RiskSeverity


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Strategy(_Part):
    name: str
    category: str = ""
    description: str = ""
    context: str | None = None


class ActionItem(_Part):
    task: str
    category: str = ""
    details: str | None = None


class RiskFlag(_Part):
    type: str
    evidence: str = ""
    severity: RiskSeverity = RiskSeverity.LOW


class NoteContent(_Part):
    """The decrypted ``content`` of one note version."""

    key_topics: list[str] = Field(default_factory=list)
    topic_summary: str = ""
    strategies: list[Strategy] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    therapist_notes: str = ""
    patient_summary: str = ""
    risk_flags: list[RiskFlag] = Field(default_factory=list)

    @classmethod
    def from_dict(cls, content: dict[str, Any] | None) -> NoteContent:
        """Read a stored document (tolerates missing keys)."""
        return cls.model_validate(content or {})

    def to_dict(self) -> dict[str, Any]:
        """The document to store in ``session_notes.content``."""
        return self.model_dump(mode="json")

    def merged(self, changes: dict[str, Any]) -> NoteContent:
        """A copy with the given top-level keys replaced (validated)."""
        return NoteContent.model_validate({**self.to_dict(), **changes})
