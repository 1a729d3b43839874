"""Helpers for the migrations gate's tests: write a project, run the CLI, read its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.servers.postgres import postgres_url  # noqa: F401 - the session fixture, shared here


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def gate(args: list[str], env: dict[str, str] | None = None) -> Result:
    from gates.cli import cli

    return CliRunner().invoke(cli, ["migrations", *args], env=env, catch_exceptions=False)


def checks(json_path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(json_path.read_text())
    return {check["name"]: check for check in data["gates"][0]["checks"]}


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own DATABASE_URL must never be used by these tests."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
