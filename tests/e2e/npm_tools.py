"""npm packages for tests, installed once per machine into a cache directory
(never committed: no lock file records where they came from)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("TB_NPM_CACHE", Path.home() / ".cache" / "tb-test-npm"))


def require_tool(name: str) -> str:
    """The tool's path; missing, the test fails in CI (CI=true) and is skipped
    elsewhere with the reason (.ci/run installs what CI needs)."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run must install it")
        pytest.skip(message)
    return found


def npm_package(spec: str) -> Path:
    """node_modules holding ``spec`` (e.g. ``graphql-http@1.23.1``)."""
    npm = require_tool("npm")
    require_tool("node")
    prefix = CACHE / spec.replace("/", "_").replace("@", "_")
    marker = prefix / ".installed"
    if not marker.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "package.json").write_text('{"name": "tb-test", "private": true}')
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--package-lock=false",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                spec,
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        marker.write_text(spec)
    return prefix / "node_modules"
