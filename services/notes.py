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
                           "severity": "LOW" | "MEDIUM" | "HIGH",
                           "source": "SCREEN" | "AI" | "BOTH" | "THERAPIST",
                           "quotes": [<evidence>], "verified": bool}],  # hidden too
      "topics":          [{"name": "sleep", "evidence": [<evidence>]}]
    }

where ``<evidence>`` is ``{"segment_index": 3, "quote": "…", "start": 12.5 |
null, "end": 15.0 | null, "verified": bool}`` and strategies and action items
carry ``"evidence": [<evidence>]`` too. An item a therapist added by an edit
has no evidence (an empty list), shown as such.

Mood and mood trajectory are columns of the row (``session_mood``,
``mood_trajectory``), not part of ``content``: analytics filter on them.
Missing keys read as empty, so older or partial documents stay readable.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from db.enums import RiskSeverity, RiskSource


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Evidence(_Part):
    """Where in the transcript a claim comes from; ``verified`` is the
    server's own check of the quote against the segment it names."""

    segment_index: int
    quote: str
    start: float | None = None
    end: float | None = None
    verified: bool = False


class Topic(_Part):
    name: str
    evidence: list[Evidence] = Field(default_factory=list)


class Strategy(_Part):
    name: str
    category: str = ""
    description: str = ""
    context: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class ActionItem(_Part):
    task: str
    category: str = ""
    details: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class RiskFlag(_Part):
    type: str
    evidence: str = ""
    severity: RiskSeverity = RiskSeverity.LOW
    source: RiskSource = RiskSource.AI
    quotes: list[Evidence] = Field(default_factory=list)
    verified: bool = False


class NoteContent(_Part):
    """The decrypted ``content`` of one note version."""

    key_topics: list[str] = Field(default_factory=list)
    topic_summary: str = ""
    strategies: list[Strategy] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    therapist_notes: str = ""
    patient_summary: str = ""
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)

    @classmethod
    def from_dict(cls, content: dict[str, Any] | None) -> NoteContent:
        """Read a stored document (tolerates missing keys)."""
        return cls.model_validate(content or {})

    def to_dict(self) -> dict[str, Any]:
        """The document to store in ``session_notes.content``."""
        return self.model_dump(mode="json")

    def merged(self, changes: dict[str, Any]) -> NoteContent:
        """A copy with the given top-level keys replaced (validated). Items the
        change leaves as they were keep their evidence; new ones have none."""
        changed = NoteContent.model_validate({**self.to_dict(), **changes})
        return changed.model_copy(
            update={
                "strategies": _carried(self.strategies, changed.strategies),
                "action_items": _carried(self.action_items, changed.action_items),
                "risk_flags": [
                    _carried_flag(self.risk_flags, f) for f in changed.risk_flags
                ]
                if "risk_flags" in changes
                else self.risk_flags,
                "topics": self.topics_for(changed.key_topics),
            }
        )

    def topics_for(self, names: list[str]) -> list[Topic]:
        """Topics with the evidence already known for each name (none for new)."""
        known = {t.name: t for t in self.topics}
        return [known.get(n) or Topic(name=n) for n in names]

    def topic_list(self) -> list[Topic]:
        """The key topics with their evidence (older notes: without any)."""
        return self.topics_for(self.key_topics)


def _same(a: _Part, b: _Part, *, but: set[str]) -> bool:
    return a.model_dump(exclude=but) == b.model_dump(exclude=but)


def _carried(old: list[Any], new: list[Any]) -> list[Any]:
    out = []
    for item in new:
        match = next((o for o in old if _same(o, item, but={"evidence"})), None)
        out.append(
            item.model_copy(update={"evidence": match.evidence})
            if match
            else item.model_copy(update={"evidence": []})
        )
    return out


def _carried_flag(old: list[RiskFlag], flag: RiskFlag) -> RiskFlag:
    keep = {"source", "quotes", "verified"}
    match = next((o for o in old if _same(o, flag, but=keep)), None)
    if match is not None:
        return match
    return flag.model_copy(
        update={"source": RiskSource.THERAPIST, "quotes": [], "verified": False}
    )
