"""The evaluation corpus (eval/): its shape, and the risk screen's recall on it.

CI fails here when the screen misses any disclosure in the suite (risk
recall below 100 %) or raises MEDIUM/HIGH on a risk-free session."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

from db.enums import RiskSeverity
from services.risk_screen import Segment, screen

ROOT = Path(__file__).resolve().parents[2] / "eval"
FACTS: list[dict[str, Any]] = json.loads((ROOT / "facts.json").read_text())
THEMES = {
    "anxiety",
    "depression",
    "grief",
    "couples",
    "adolescent",
    "substance",
    "trauma",
}
VIOLENCE = {"abuse_neglect", "intimate_partner_violence"}
_LINE = re.compile(r"^(Therapist|Client): (.+)$")


def segments_of(text: str) -> list[Segment]:
    out = []
    for i, line in enumerate(text.splitlines()):
        match = _LINE.match(line)
        assert match, f"unlabelled line {i}"
        out.append(Segment(i, match.group(2), match.group(1).upper()))
    return out


def _text(facts: dict[str, Any]) -> str:
    return (ROOT / "transcripts" / f"{facts['id']}.txt").read_text()


def test_the_corpus_covers_what_the_suite_promises() -> None:
    assert len(FACTS) >= 30
    assert {f["theme"] for f in FACTS} == THEMES
    with_risk = [f for f in FACTS if f["has_risk"]]
    assert 10 <= len(with_risk) < len(FACTS)
    assert any(f["indirect"] for f in FACTS)
    for facts in FACTS:
        words = len(_text(facts).split())
        assert 1_500 <= words <= 9_000, facts["id"]  # 10 to 60 minutes of talk
        assert facts["expected_topics"]


def test_the_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    runpy.run_path(str(ROOT / "generate.py"))["main"](tmp_path)
    assert json.loads((tmp_path / "facts.json").read_text()) == FACTS
    for facts in FACTS:
        name = f"{facts['id']}.txt"
        assert (tmp_path / "transcripts" / name).read_text() == _text(facts)


@pytest.mark.parametrize("facts", FACTS, ids=[f["id"] for f in FACTS])
def test_the_screen_finds_every_disclosure_and_nothing_in_risk_free_sessions(
    facts: dict[str, Any],
) -> None:
    segments = segments_of(_text(facts))
    flags = screen(segments)
    high = {f.kind: f for f in flags if f.severity is RiskSeverity.HIGH}
    for expected in facts["expected_risks"]:
        kind = expected["kind"]
        found = high.get(kind) or next(
            (high[k] for k in high if kind in VIOLENCE and k in VIOLENCE), None
        )
        assert found is not None, (facts["id"], kind)
        where = [s for s in segments if expected["quote"] in s.text]
        assert any(
            q.segment_index == s.index and q.quote in s.text
            for q in found.quotes
            for s in where
        ), (facts["id"], kind)
    if not facts["has_risk"]:
        raised = [f for f in flags if f.severity is not RiskSeverity.LOW]
        assert raised == [], (facts["id"], [(f.kind, f.quotes) for f in raised])
