#!/usr/bin/env python3
"""Set up the virtualenv from requirements.lock, then run a command in it.

    python3 bootstrap.py serve [serve options]   set up, then start the server
    python3 bootstrap.py test [pytest options]   set up, then run the test suite
    python3 bootstrap.py lint                    ruff check, ruff format --check, mypy
    python3 bootstrap.py bench [options]         the benchmark; writes bench/RESULTS.md
    python3 bootstrap.py <anything else>         run `therapybridge <anything else>`

Only the Python standard library is used here: this runs on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("THERAPYBRIDGE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-lock"


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit("TherapyBridge needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        print(f"creating virtualenv in {VENV}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(
        (ROOT / "requirements.lock").read_bytes()
        + (ROOT / "pyproject.toml").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("installing dependencies from requirements.lock", file=sys.stderr)
    pip: list[str | Path] = [BIN / "python", "-m", "pip", "-q"]
    _run(*pip, "install", "--require-hashes", "-r", "requirements.lock")
    _run(*pip, "install", "--no-deps", "-e", ".")
    STAMP.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "test":
        cmd = [str(BIN / "python"), "-m", "pytest", *rest]
    elif command == "bench":
        cmd = [str(BIN / "python"), "-m", "bench.run", *rest]
    elif command == "lint":
        for step in (
            ["ruff", "check", "."],
            ["ruff", "format", "--check", "."],
            ["mypy", "."],
        ):
            code = subprocess.run([str(BIN / step[0]), *step[1:]], cwd=ROOT).returncode
            if code:
                return code
        return 0
    else:
        cmd = [str(BIN / "therapybridge"), command, *rest]
    os.chdir(ROOT)
    os.execv(cmd[0], cmd)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
