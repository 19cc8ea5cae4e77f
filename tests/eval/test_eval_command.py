"""`therapybridge eval` against the OpenAI double: the report and its file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import main
from services import evaluation
from settings import Settings, get_settings
from tests.fake_openai import FakeOpenAI


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


async def test_the_suite_is_scored_per_prompt_version(
    fake: FakeOpenAI, settings: Settings, tmp_path: Path
) -> None:
    fake.configure()
    ai = settings.model_copy(
        update={"openai_base_url": f"{fake.base_url}", "openai_api_key": "k"}
    )

    summary = await evaluation.evaluate(ai, limit=6)
    section = evaluation.render(summary)
    out = tmp_path / "RESULTS.md"
    (out).write_text(evaluation.HEADER + "## Prompt version old-v0\n\nkept\n")
    evaluation.write_results(out, section, summary.prompt_version)

    assert len(summary.cases) == 6
    assert summary.risk_recall("screen") == 1.0
    assert summary.risk_recall("combined") == 1.0
    assert summary.prompt_version
    text = out.read_text()
    assert f"## Prompt version {summary.prompt_version}" in text
    assert "## Prompt version old-v0" in text  # other versions stay
    assert "| Risk recall: screen | 100.0% |" in text
    assert sum(c.input_tokens for c in summary.cases) > 0


def test_the_command_writes_the_file_and_exits_zero(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.configure()
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("ENVIRONMENT", "test")
    out = tmp_path / "RESULTS.md"
    get_settings.cache_clear()  # read the environment set above

    try:
        code = main(["eval", "--limit", "2", "--output", str(out)])
    finally:
        get_settings.cache_clear()

    assert code == 0
    assert "Topic recall" in out.read_text()
