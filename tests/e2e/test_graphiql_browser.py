"""GraphiQL in a real headless Chromium (the Debian ``chromium`` package driven
by Playwright; Playwright's own browser downloads are never used), against a
real server process, with every host but the server unreachable: the page
loads, runs a query with a bearer token from the headers editor, receives a
subscription event over graphql-transport-ws, and no request fails, goes to
another host or is refused by the page's Content-Security-Policy.

Run alone: ``.venv/bin/python -m pytest tests/e2e/test_graphiql_browser.py``
(``apt-get install -y chromium`` first; .ci/run does it). Without
``/usr/bin/chromium`` the test fails in CI and is skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from db.enums import SessionStatus
from tests.e2e.pipeline_helpers import make_account
from tests.e2e.server import ServerProcess
from tests.e2e.test_shared_subscriptions import move, scheduled_session

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # the network to the outside cut: no name but the server's resolves
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
# unnamed: GraphiQL keeps the operation name of the document it saw before
# when the editor's text is replaced from script
ME = "query { me { id email } }"
SUBSCRIBE = "subscription { sessionStatusChanged { status } }"


def _chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


async def _set_editor(page: Any, selector: str, text: str) -> None:
    # CodeMirror 5 keeps its instance on its wrapper element
    await page.wait_for_selector(f"{selector} .CodeMirror")
    await page.evaluate(
        "([s, t]) => document.querySelector(s + ' .CodeMirror').CodeMirror.setValue(t)",
        [selector, text],
    )


async def _response_text(page: Any) -> str:
    text: str = await page.evaluate(
        "() => document.querySelector('.graphiql-response .CodeMirror')"
        ".CodeMirror.getValue()"
    )
    return text


async def _until(check: Any, within: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_graphiql_runs_a_query_and_a_subscription_offline(
    live_server: ServerProcess, e2e_database_url: str
) -> None:
    from playwright.async_api import async_playwright

    executable = _chromium()
    account = await make_account(e2e_database_url)
    session_id = await scheduled_session(live_server, account.token, account.patient_id)
    origin = urlsplit(live_server.url).netloc
    requests: list[str] = []
    failed: list[str] = []
    bad_status: list[str] = []
    problems: list[str] = []
    sockets: list[Any] = []

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(executable), args=ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on(
                "response",
                lambda r: (
                    bad_status.append(f"{r.status} {r.url}")
                    if r.status >= 400
                    else None
                ),
            )
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))
            frames: list[str] = []

            def on_socket(ws: Any) -> None:
                sockets.append(ws)
                ws.on("framesent", lambda payload: frames.append(str(payload)))

            page.on("websocket", on_socket)

            response = await page.goto(f"{live_server.url}/graphql")
            assert response is not None
            assert response.status == 200
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assert "unsafe" not in csp

            await page.get_by_role("button", name="Headers").click()
            await _set_editor(
                page,
                ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
                json.dumps({"Authorization": f"Bearer {account.token}"}),
            )
            await _set_editor(page, ".graphiql-query-editor", ME)
            await page.click(".graphiql-execute-button")

            async def me_answered() -> bool:
                return '"email"' in await _response_text(page)

            await _until(me_answered)
            me = json.loads(await _response_text(page))["data"]["me"]
            assert me["id"]
            assert "@" in me["email"]

            await _set_editor(page, ".graphiql-query-editor", SUBSCRIBE)
            await page.click(".graphiql-execute-button")

            async def subscribed() -> bool:
                return any('"subscribe"' in f for f in frames)

            await _until(subscribed)
            await asyncio.sleep(1.0)  # the server starts listening
            await move(e2e_database_url, session_id, SessionStatus.UPLOADING)

            async def event_shown() -> bool:
                return "UPLOADING" in await _response_text(page)

            await _until(event_shown)
        finally:
            await browser.close()

    init = json.loads(frames[0])
    assert init == {
        "type": "connection_init",
        "payload": {"authorization": f"Bearer {account.token}"},
    }
    assert requests, "the page made no request"
    assert [u for u in requests if urlsplit(u).netloc != origin] == []
    assert [s.url for s in sockets if urlsplit(s.url).netloc != origin] == []
    assert failed == []
    assert bad_status == []
    assert problems == []
