from __future__ import annotations

import dataclasses

import pytest

from db.enums import Mood
from services.changes import UNSET, or_none
from services.patients import PatientChanges
from services.sessions import NoteChanges, StrategyValues


def test_fields_set_counts_null_and_leaves_out_unset() -> None:
    assert PatientChanges().fields_set() == []
    changes = PatientChanges(phone=None, name="A")
    assert changes.fields_set() == ["name", "phone"]
    assert changes.email is UNSET
    notes = NoteChanges(
        strategies=[StrategyValues("Walks", "behavioral", "daily")],
        session_mood=None,
    )
    assert notes.fields_set() == ["session_mood", "strategies"]


def test_changes_are_frozen_and_or_none_reads_unset_as_none() -> None:
    changes = NoteChanges(session_mood=Mood.LOW)
    name = "session_mood"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(changes, name, Mood.POSITIVE)
    assert or_none(changes.session_mood) is Mood.LOW
    assert or_none(changes.mood_trajectory) is None
    assert repr(UNSET) == "UNSET"
