from __future__ import annotations

from db.enums import Mood, MoodTrajectory
from services.note_format import NoteFormat, render
from tests.factories import NOTE_CONTENT


def _headings(text: str) -> list[str]:
    return [block.split("\n", 1)[0] for block in text.split("\n\n")]


def test_each_format_has_its_sections_in_order() -> None:
    rendered = {
        f: render(NOTE_CONTENT, Mood.LOW, MoodTrajectory.IMPROVING, f)
        for f in NoteFormat
    }

    assert _headings(rendered[NoteFormat.SOAP]) == [
        "Subjective",
        "Objective",
        "Assessment",
        "Plan",
    ]
    assert _headings(rendered[NoteFormat.DAP]) == ["Data", "Assessment", "Plan"]
    assert _headings(rendered[NoteFormat.BIRP]) == [
        "Behavior",
        "Intervention",
        "Response",
        "Plan",
    ]


def test_soap_maps_fields_to_sections_deterministically() -> None:
    once = render(NOTE_CONTENT, Mood.LOW, MoodTrajectory.IMPROVING, NoteFormat.SOAP)
    again = render(NOTE_CONTENT, Mood.LOW, MoodTrajectory.IMPROVING, NoteFormat.SOAP)
    sections = dict(block.split("\n", 1) for block in once.split("\n\n"))

    assert once == again
    assert "Key topics: sleep, work stress" in sections["Subjective"]
    assert sections["Objective"] == "Session mood: Low.\nMood trajectory: Improving."
    assert "self_harm (LOW)" in sections["Assessment"]
    assert "Sleep hygiene" in sections["Plan"]
    assert "Keep a sleep diary" in sections["Plan"]
    assert NOTE_CONTENT.patient_summary not in once
