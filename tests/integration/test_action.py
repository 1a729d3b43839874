"""Run action.yml's `run:` steps as GitHub would: same env mapping, GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY files, in a real repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from gates.registry import is_available
from tests.conftest import git
from tests.integration.offline_pip import offline_install_env

PROJECT = Path(__file__).resolve().parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def load_action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
    return action


def evaluate(text: str, inputs: dict[str, str], github: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        for alternative in match.group(1).split("||"):
            name = alternative.strip()
            scope, _, key = name.partition(".")
            found = {"inputs": inputs, "github": github}.get(scope, {}).get(key, "")
            if found:
                return found
        return ""

    return EXPRESSION.sub(value, text)


def run_action(repo: Path, tmp_path: Path, given: dict[str, str]) -> tuple[int, dict[str, str], str]:
    action = load_action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    github = {"action_path": str(PROJECT), "base_ref": ""}
    output_file, summary_file = tmp_path / "github_output", tmp_path / "step_summary"
    env = offline_install_env()
    env.update({"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file),
                "GITHUB_ENV": str(tmp_path / "github_env"), "RUNNER_TEMP": str(tmp_path / "runner")})
    (tmp_path / "runner").mkdir(exist_ok=True)
    code = 0
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue  # `uses:` steps (setup-python) are GitHub's; the test interpreter stands in for them
        step_env = {**env, **{k: evaluate(str(v), inputs, github) for k, v in step.get("env", {}).items()}}
        assert "${{" not in step["run"], "inputs must reach run: scripts through env only"
        done = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=step_env, capture_output=True, text=True,
                              timeout=300)
        code = done.returncode
        if code != 0 and step.get("id") != "run":
            pytest.fail(f"step {step.get('name')} failed: {done.stdout}\n{done.stderr}")
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    summary = summary_file.read_text() if summary_file.exists() else ""
    return code, outputs, summary


def test_no_run_step_interpolates_an_input() -> None:
    for step in load_action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"]


@pytest.mark.slow
def test_action_runs_a_stage_and_writes_outputs(git_repo: Path, tmp_path: Path) -> None:
    (git_repo / "README.md").write_text("hello\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "init")
    code, outputs, summary = run_action(git_repo, tmp_path, {"gates": "timing,email", "sarif-path": ""})
    assert code == 0, outputs
    assert outputs["result"] == "passed"
    assert outputs["exit-code"] == "0"
    assert outputs["junit"] == "gates-junit.xml"
    assert (git_repo / "gates-junit.xml").is_file()
    assert "## Launch Gates" in summary


@pytest.mark.slow
def test_action_blocks_on_a_committed_secret(git_repo: Path, tmp_path: Path) -> None:
    if not is_available("secrets"):
        pytest.skip("the secrets gate is not in this version")
    (git_repo / "settings.py").write_text('STRIPE = "sk_live_' + "4eC39HqLyjWDarjtT1zdp7dc" + '"\n')
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "add settings")
    code, outputs, summary = run_action(git_repo, tmp_path, {"gates": "secrets", "args": "--json report.json"})
    assert code == 1
    assert outputs["result"] == "blocked"
    assert "4eC39HqLyjWDarjtT1zdp7dc" not in summary
    assert (git_repo / "report.json").is_file()
    assert (git_repo / "gates.sarif").is_file()


def test_usage_error_is_reported_as_such(git_repo: Path, tmp_path: Path) -> None:
    action = load_action()
    script = next(step for step in action["runs"]["steps"] if step.get("id") == "run")["run"]
    env = offline_install_env()
    output_file = tmp_path / "out"
    env.update({"GITHUB_OUTPUT": str(output_file), "RUNNER_TEMP": str(tmp_path / "none"), "GATES_STAGE": "pr",
                "GATES_LIST": "secrest", "GATES_CONFIG": "", "GATES_ARGS": "", "GATES_JUNIT": "", "GATES_SARIF": "",
                "GATES_BASE_REF": "", "GATES_ROLLBACK": "", "GATES_FAIL_ON_ERROR": "true"})
    # The install step's venv is absent here: point the script at this environment's `gates`.
    bin_dir = tmp_path / "none" / "launch-gates-venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "gates").symlink_to(Path(env["PATH"].split(":")[0]) / "gates")
    done = subprocess.run(["bash", "-c", script], cwd=git_repo, env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "result=usage-error" in output_file.read_text()
    assert "unknown gate 'secrest'" in done.stderr
