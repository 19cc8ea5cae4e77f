"""The risk path end to end, as a clinician meets it: a pasted transcript with a
disclosure the model does not report, processed by a real server's worker with
the real openai client against the local fake; the screen's flag in the note,
the alert raised and pushed over graphql-transport-ws to the session's
therapist only, acknowledged; the note signed and then locked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.e2e.pipeline_helpers import make_account, pipeline_env, query, wait_status
from tests.e2e.server import ServerProcess
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.e2e

CREATE = """
mutation($p: ID!, $t: String!) {
  createSessionFromTranscript(patientId: $p, transcript: $t) { id status } }
"""
NOTES = """
query($id: ID!) { session(id: $id) { status notes { version riskFlags {
  type severity source verified quotes { segmentIndex quote verified } } } } }
"""
ALERTS = """
{ riskAlerts { totalCount edges { node { id severity status session { id } } } } }
"""
ACK = """
mutation($id: ID!) { acknowledgeRiskAlert(id: $id, note: "called") { status } }
"""
SIGN = "mutation($s: ID!) { signSessionNotes(sessionId: $s) { signedAt } }"
EDIT = """
mutation($s: ID!) { updateSessionNotes(sessionId: $s, input: {therapistNotes: "x"}) {
  version } }
"""
RAISED = """
subscription { riskAlertRaised { id severity session { id } flags { source } } }
"""
TRANSCRIPT = """Therapist: How has the week been?
Client: Long. Work was busy and I barely slept.
Therapist: What has been on your mind at night?
Client: Honestly, lately I keep thinking my family would be happier if I just
wasn't around anymore.
Therapist: Thank you for telling me that.
"""


class AlertWatcher:
    """A graphql-transport-ws client collecting riskAlertRaised payloads."""

    def __init__(self, base_url: str, token: str) -> None:
        self.url = base_url.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.alerts: list[dict[str, Any]] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> AlertWatcher:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), 15)
        return self

    async def _run(self) -> None:
        async with websockets.connect(
            self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        ) as ws:
            init = {"authorization": f"Bearer {self.token}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            subscribe = {"id": "1", "type": "subscribe", "payload": {"query": RAISED}}
            await ws.send(json.dumps(subscribe))
            await asyncio.sleep(0.5)
            self._ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "next":
                    self.alerts.append(message["payload"]["data"]["riskAlertRaised"])

    async def wait(self, count: int, within: float = 30) -> None:
        for _ in range(int(within * 10)):
            if len(self.alerts) >= count:
                return
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


async def test_a_disclosure_the_model_missed_is_flagged_alerted_and_pushed(
    e2e_database_url: str, tmp_path: Path, fake: FakeOpenAI
) -> None:
    fake.configure()  # the model reports no risk at all
    server = ServerProcess(
        "serve", env=pipeline_env(e2e_database_url, tmp_path, fake.base_url)
    ).start()
    try:
        server.wait_healthy()
        account = await make_account(e2e_database_url)
        mine = await AlertWatcher(server.url, account.token).start()
        theirs = await AlertWatcher(server.url, account.other_token).start()

        created = await query(
            server.url, account.token, CREATE, p=account.patient_id, t=TRANSCRIPT
        )
        sid = created["data"]["createSessionFromTranscript"]["id"]
        await wait_status(server.url, account.token, sid, {"PROCESSED", "FAILED"})
        await mine.wait(1)
        notes = (await query(server.url, account.token, NOTES, id=sid))["data"]
        alerts = (await query(server.url, account.token, ALERTS))["data"]["riskAlerts"]
        other = (await query(server.url, account.other_token, ALERTS))["data"]

        (flag,) = notes["session"]["notes"]["riskFlags"]
        assert (flag["severity"], flag["source"], flag["verified"]) == (
            "HIGH",
            "SCREEN",
            True,
        )
        assert flag["quotes"][0]["segmentIndex"] == 3
        assert "wasn't around anymore" in flag["quotes"][0]["quote"]
        assert alerts["totalCount"] == 1
        alert = alerts["edges"][0]["node"]
        assert alert["session"]["id"] == sid
        assert [a["id"] for a in mine.alerts] == [alert["id"]]
        assert mine.alerts[0]["flags"] == [{"source": "SCREEN"}]
        assert theirs.alerts == []
        assert other["riskAlerts"]["totalCount"] == 0

        stranger_ack = await query(server.url, account.other_token, ACK, id=alert["id"])
        ack = await query(server.url, account.token, ACK, id=alert["id"])
        assert stranger_ack["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert ack["data"]["acknowledgeRiskAlert"]["status"] == "ACKNOWLEDGED"

        signed = await query(server.url, account.token, SIGN, s=sid)
        edit = await query(server.url, account.token, EDIT, s=sid)
        assert signed["data"]["signSessionNotes"]["signedAt"]
        assert edit["errors"][0]["extensions"]["code"] == "CONFLICT"
        await mine.stop()
        await theirs.stop()
    finally:
        server.stop()
