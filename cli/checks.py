"""The commands that check the AI providers: ``ai-check`` (one second of
audio and one small extraction against the configured providers) and
``eval`` (the note extraction over eval/, written to eval/RESULTS.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from cli.registry import command
from settings import Settings


def add_ai_check_parser(sub: Any) -> None:
    sub.add_parser(
        "ai-check",
        help="send one second of audio and one small extraction to the AI providers",
    )


def add_eval_parser(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="run the note extraction over eval/ and write eval/RESULTS.md",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N sessions")
    p.add_argument("--output", type=Path, default=None, help="default eval/RESULTS.md")


@command("ai-check")
def ai_check(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when both providers work, 1 otherwise."""
    from services.ai_check import report, run_checks

    results = asyncio.run(run_checks(settings))
    sys.stdout.write(report(results))
    return 0 if all(check.ok for check, _ in results) else 1


@command("eval")
def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from services import evaluation

    summary = asyncio.run(evaluation.evaluate(settings, limit=args.limit))
    section = evaluation.render(summary)
    out = args.output or evaluation.EVAL_DIR / "RESULTS.md"
    evaluation.write_results(out, section, summary.prompt_version)
    sys.stdout.write(section)
    screen = summary.risk_recall("screen")
    # the screen must find every disclosure of the suite
    return 0 if screen is None or screen >= 1.0 else 1
