"""The loopback chat app for the whole AI test directory, and a helper that runs `gates ai` on a config."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gates.cli import cli
from tests.servers import chat_app


@pytest.fixture(scope="session")
def chat_url() -> Iterator[str]:
    with chat_app.serve() as base:
        yield base


@dataclass
class Run:
    exit_code: int
    output: str
    json: dict[str, Any]

    @property
    def checks(self) -> dict[str, dict[str, Any]]:
        return {check["name"]: check for check in self.json["gates"][0]["checks"]}

    def rules(self, check: str | None = None) -> set[str]:
        checks = [self.checks[check]] if check else list(self.checks.values())
        return {finding["rule"] for c in checks for finding in c["findings"]}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """gate(config_dict, *flags) writes gates.toml with an [ai] table in tmp_path and runs `gates ai`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(ai: dict[str, Any], *flags: str, extra: str = "") -> Run:
        lines = ["[ai]"] + [f"{key} = {toml_value(value)}" for key, value in ai.items()]
        (tmp_path / "gates.toml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        out = tmp_path / "out.json"
        if out.exists():
            out.unlink()
        result = CliRunner().invoke(cli, ["ai", "--json", str(out), *flags])
        data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        return Run(result.exit_code, result.output, data)

    return run
