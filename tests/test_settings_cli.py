from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import Settings, SettingsError, load_settings

EXE = str(Path(sys.executable).with_name("therapybridge"))
KEY = base64.b64encode(os.urandom(32)).decode()


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


def test_production_requires_a_long_jwt_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", "short")
    monkeypatch.setenv("PHI_ENCRYPTION_KEY", KEY)

    with pytest.raises(SettingsError, match="JWT_SECRET_KEY"):
        load_settings()


def test_production_requires_a_phi_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("PHI_ENCRYPTION_KEY", raising=False)

    with pytest.raises(SettingsError, match="PHI_ENCRYPTION_KEY"):
        load_settings()


def test_development_needs_no_secrets() -> None:
    settings = Settings(environment="development", jwt_secret_key="")
    assert settings.jwt_secret
    assert len(settings.phi_key) == 32


def test_cli_rejects_invalid_settings_in_one_line_with_exit_2() -> None:
    result = _run(
        "export-schema",
        ENVIRONMENT="production",
        JWT_SECRET_KEY="",
        PHI_ENCRYPTION_KEY=KEY,
    )

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "JWT_SECRET_KEY" in result.stderr


def test_cli_rejects_unknown_options_in_one_line_with_exit_2() -> None:
    result = _run("serve", "--no-such-option")

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_export_schema_prints_the_sdl() -> None:
    result = _run("export-schema")

    assert result.returncode == 0
    assert "type Query" in result.stdout
    assert "interface Node" in result.stdout
