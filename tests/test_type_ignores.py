"""The tree type-checks with no ignore comments for mypy: a value that stands
in for a GraphQL type is annotated with the type's row alias (schema/rows.py),
and an untyped library call goes through a typed name, so mypy checks every
line, tests, bench and eval included."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", ".data", ".git", "build", "node_modules"}
MARKER = "type: " + "ignore"  # spelled in two: this file must not match itself


def _sources() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED and not d.startswith(".")]
        found += [Path(folder, f) for f in files if f.endswith(".py")]
    return found


def test_no_mypy_ignore_comments() -> None:
    sources = _sources()
    assert len(sources) > 300  # the walk found the tree
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if MARKER in line
    ]
    assert found == []
