"""The npm ``graphql-http`` 1.23.1 ``auditServer`` against a real server
process: all 61 audits (MUST, SHOULD and MAY) pass. Needs node and npm
(.ci/run has them); tests/test_http_media.py ports the key audits to Python
so that they run without node too."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.npm_tools import npm_package, require_tool
from tests.e2e.server import ServerProcess

pytestmark = pytest.mark.e2e
AUDIT = Path(__file__).resolve().parents[1] / "http_audit" / "audit.cjs"


def test_graphql_http_audit_passes_all_61(live_server: ServerProcess) -> None:
    modules = npm_package("graphql-http@1.23.1")
    node = require_tool("node")

    run = subprocess.run(
        [node, str(AUDIT), f"{live_server.url}/graphql"],
        env={**os.environ, "NODE_PATH": str(modules)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)["results"]
    failed = [r for r in results if r["status"] != "ok"]
    assert len(results) == 61
    assert failed == []
