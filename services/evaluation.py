"""`therapybridge eval`: the real extraction over the evaluation corpus (eval/)
against the configured provider, scored against eval/facts.json.

Per prompt version it reports topic recall (an expected topic counts when a
kept topic's name contains it or is a close match: rapidfuzz token_set_ratio
>= 80), risk recall of the screen, of the model and of both together (an
expected risk counts when a flag of its kind is MEDIUM or HIGH; partner
violence and abuse count as one family), the share of the model's quotes that
verified, the unsupported-claim rate (items dropped for want of a verified
quote, over all items the model wrote), and tokens and cost. The results go
to eval/RESULTS.md, one section per prompt version (a run replaces its own).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from db.enums import RiskSeverity
from services.evidence import kind_of, normalise
from services.extraction import extract_notes
from services.notes_build import build_content
from services.risk_lexicon import AB, IPV
from services.risk_screen import as_segments, screen
from services.segments import for_prompt, parse_pasted
from settings import Settings

EVAL_DIR = Path(__file__).resolve().parents[1] / "eval"
VIOLENCE = {AB, IPV}
TOPIC_MATCH = 80


@dataclass
class CaseResult:
    id: str
    expected_topics: list[str]
    found_topics: list[str]
    expected_kinds: list[str]
    screen_kinds: set[str]
    model_kinds: set[str]
    combined_kinds: set[str]
    cited: int
    verified: int
    items: int
    unsupported: int
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal | None
    model: str
    prompt_version: str

    @property
    def topic_hits(self) -> int:
        return sum(
            1 for t in self.expected_topics if _topic_found(t, self.found_topics)
        )


@dataclass
class Summary:
    prompt_version: str
    model: str
    cases: list[CaseResult] = field(default_factory=list)

    def _share(self, hits: int, total: int) -> float | None:
        return hits / total if total else None

    @property
    def topic_recall(self) -> float | None:
        return self._share(
            sum(c.topic_hits for c in self.cases),
            sum(len(c.expected_topics) for c in self.cases),
        )

    def risk_recall(self, which: str) -> float | None:
        hits = total = 0
        for c in self.cases:
            found: set[str] = getattr(c, f"{which}_kinds")
            for kind in c.expected_kinds:
                total += 1
                hits += _kind_found(kind, found)
        return self._share(hits, total)

    @property
    def quotes_verified(self) -> float | None:
        return self._share(
            sum(c.verified for c in self.cases), sum(c.cited for c in self.cases)
        )

    @property
    def unsupported_rate(self) -> float | None:
        return self._share(
            sum(c.unsupported for c in self.cases), sum(c.items for c in self.cases)
        )


def _topic_found(expected: str, found: list[str]) -> bool:
    e = normalise(expected)
    return any(
        e in normalise(f) or fuzz.token_set_ratio(e, normalise(f)) >= TOPIC_MATCH
        for f in found
    )


def _kind_found(kind: str, found: set[str]) -> bool:
    return kind in found or (kind in VIOLENCE and bool(found & VIOLENCE))


def load_corpus(root: Path = EVAL_DIR) -> list[tuple[dict[str, Any], str]]:
    facts: list[dict[str, Any]] = json.loads((root / "facts.json").read_text())
    return [(f, (root / "transcripts" / f"{f['id']}.txt").read_text()) for f in facts]


_ALERTING = {RiskSeverity.MEDIUM, RiskSeverity.HIGH}


async def evaluate_case(
    settings: Settings, facts: dict[str, Any], text: str
) -> CaseResult:
    """Extract one session's notes and score them."""
    records = parse_pasted(text)
    segments = as_segments(records)
    extraction = await extract_notes(settings, for_prompt(text, records))
    built = build_content(extraction.notes, segments)
    draft = extraction.notes
    model_kinds = {
        k
        for f in draft.risk_flags
        if f.severity in _ALERTING and (k := kind_of(f.type))
    }
    combined = {
        k
        for f in built.content.risk_flags
        if f.severity in _ALERTING and (k := kind_of(f.type))
    }
    items = (
        len(getattr(draft, "topics", None) or draft.key_topics)
        + len(draft.strategies)
        + len(draft.action_items)
    )
    return CaseResult(
        id=facts["id"],
        expected_topics=list(facts["expected_topics"]),
        found_topics=list(built.content.key_topics),
        expected_kinds=[r["kind"] for r in facts["expected_risks"]],
        screen_kinds={f.kind for f in screen(segments) if f.severity in _ALERTING},
        model_kinds=model_kinds,
        combined_kinds=combined,
        cited=built.cited_quotes,
        verified=built.verified_quotes,
        items=items,
        unsupported=built.unsupported_claims,
        input_tokens=extraction.input_tokens,
        output_tokens=extraction.output_tokens,
        cost_usd=extraction.cost_usd,
        model=extraction.model,
        prompt_version=extraction.prompt_version,
    )


async def evaluate(
    settings: Settings, root: Path = EVAL_DIR, limit: int | None = None
) -> Summary:
    corpus = load_corpus(root)[:limit]
    results = [await evaluate_case(settings, f, t) for f, t in corpus]
    first = results[0] if results else None
    return Summary(
        prompt_version=first.prompt_version if first else "",
        model=first.model if first else settings.extraction_model,
        cases=results,
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def render(summary: Summary, when: datetime | None = None) -> str:
    """The markdown section of one prompt version."""
    when = when or datetime.now(UTC)
    cases = summary.cases
    tokens_in = sum(c.input_tokens for c in cases)
    tokens_out = sum(c.output_tokens for c in cases)
    costs = [c.cost_usd for c in cases if c.cost_usd is not None]
    cost = f"${sum(costs, Decimal(0)):.4f}" if costs else "n/a (no price for model)"
    lines = [
        f"## Prompt version {summary.prompt_version}",
        "",
        f"Model `{summary.model}`, {len(cases)} sessions, "
        f"run {when:%Y-%m-%d %H:%M} UTC.",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Topic recall | {_pct(summary.topic_recall)} |",
        f"| Risk recall: screen | {_pct(summary.risk_recall('screen'))} |",
        f"| Risk recall: model | {_pct(summary.risk_recall('model'))} |",
        f"| Risk recall: combined | {_pct(summary.risk_recall('combined'))} |",
        f"| Quotes verified | {_pct(summary.quotes_verified)} |",
        f"| Unsupported-claim rate | {_pct(summary.unsupported_rate)} |",
        f"| Tokens (input / output) | {tokens_in:,} / {tokens_out:,} |",
        f"| Cost | {cost} |",
        "",
        "| Session | Topics found | Risks expected | Screen | Model | Combined |",
        "|---|---|---|---|---|---|",
    ]
    for c in cases:
        lines.append(
            f"| {c.id} | {c.topic_hits}/{len(c.expected_topics)} | "
            f"{', '.join(c.expected_kinds) or '-'} | "
            f"{_hits(c, c.screen_kinds)} | {_hits(c, c.model_kinds)} | "
            f"{_hits(c, c.combined_kinds)} |"
        )
    return "\n".join(lines) + "\n"


def _hits(case: CaseResult, found: set[str]) -> str:
    if not case.expected_kinds:
        return "-"
    hits = sum(_kind_found(k, found) for k in case.expected_kinds)
    return f"{hits}/{len(case.expected_kinds)}"


HEADER = (
    "# Evaluation results\n\n"
    "Written by `therapybridge eval` (services/evaluation.py): the real extraction "
    "over the 30 sessions of eval/ against the configured provider. One section "
    "per prompt version; a run replaces its own section. Figures from the test "
    "double (tests/fake_openai.py, as CI runs it) measure the plumbing, not a "
    "model's clinical judgement: run it against a real provider for those.\n\n"
)
_SECTION = re.compile(r"^## Prompt version (\S+)$", re.MULTILINE)


def write_results(path: Path, section: str, prompt_version: str) -> None:
    """Replace (or add) the prompt version's section of RESULTS.md."""
    old = path.read_text() if path.exists() else HEADER
    body = old.split("\n## Prompt version ", 1)
    head = body[0].rstrip("\n") + "\n\n"
    sections: dict[str, str] = {}
    if len(body) > 1:
        rest = "## Prompt version " + body[1]
        starts = [m.start() for m in _SECTION.finditer(rest)] + [len(rest)]
        for a, b in itertools.pairwise(starts):
            chunk = rest[a:b].rstrip("\n") + "\n"
            match = _SECTION.match(chunk)
            if match:
                sections[match.group(1)] = chunk
    sections[prompt_version] = section
    path.write_text(head + "\n".join(sections[k] for k in sorted(sections)))
