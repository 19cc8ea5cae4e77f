"""Writing a benchmark's section of bench/RESULTS.md between its markers."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, section: str, path: Path = RESULTS) -> None:
    """Replace the text between ``<!-- name:begin -->`` and ``<!-- name:end -->``
    with ``section``, or append the marked section when there is none yet."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{section}\n{end}"
    if begin in text:
        pattern = re.escape(begin) + ".*?" + re.escape(end)
        text = re.sub(pattern, lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
