"""`gates run` hands a gate's own step outputs (smoke: rollback, failed_checks) to GitHub, as the
action's `rollback` output expects."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from tests.servers.http_app import serve


def test_rollback_output_under_gates_run(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = git_repo / "rolled-back"
    script = git_repo / "rollback.py"
    script.write_text(f"from pathlib import Path\nPath({str(marker)!r}).write_text('yes')\n")
    outputs = git_repo / "github_output"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    with serve() as app:
        (git_repo / "gates.toml").write_text(
            f'[smoke]\nbase_url = "{app.url}"\nretries = 0\n[[smoke.checks]]\nname = "boom"\npath = "/error"\n'
        )
        result = CliRunner().invoke(
            cli, ["run", "--gates", "smoke", "--rollback-cmd", f"{sys.executable} {script}"]
        )
    assert result.exit_code == 1, result.output
    assert marker.read_text() == "yes"
    written = outputs.read_text().splitlines()
    assert "result=blocked" in written
    assert "rollback=triggered" in written
    assert "failed_checks=boom" in written
