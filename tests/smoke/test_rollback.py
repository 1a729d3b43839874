"""Rollback: a real script appending to a marker file runs exactly once when the gate blocks, never otherwise."""

from __future__ import annotations

import json
import time
from pathlib import Path

from gates.report import Status
from tests.servers.http_app import Server
from tests.smoke.helpers import cli, marker_lines, rollback_cmd, run_gate, write_config


def _config(root: Path, app: Server, path: str, rollback: str, extra: str = "") -> None:
    write_config(root, f'[smoke]\nbase_url = "{app.url}"\nretries = 0\nrollback = "{rollback}"\n{extra}'
                       f'[[smoke.checks]]\nname = "target"\npath = "{path}"\n')


def test_rollback_runs_once_when_the_gate_blocks(app: Server, git_repo: Path, rollback_script: Path) -> None:
    marker = git_repo / "marker"
    _config(git_repo, app, "/error", rollback_cmd(rollback_script, marker))
    outputs = git_repo / "github_output"
    result = cli(["smoke", "--junit-xml", "junit.xml"],
                 env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs),
                      "GITHUB_STEP_SUMMARY": str(git_repo / "summary.md")})
    assert result.exit_code == 1, result.output  # still blocked after rolling back
    assert marker_lines(marker) == ["target|failed"]
    assert "rolled back" in result.output
    written = outputs.read_text().splitlines()
    assert "rollback=triggered" in written and "failed_checks=target" in written and "result=blocked" in written
    junit = (git_repo / "junit.xml").read_text()
    assert 'classname="gates.smoke.rollback"' in junit and 'name="rollback"' in junit


def test_rollback_never_runs_on_a_pass(app: Server, git_repo: Path, rollback_script: Path) -> None:
    marker = git_repo / "marker"
    _config(git_repo, app, "/health", rollback_cmd(rollback_script, marker))
    outputs = git_repo / "github_output"
    result = cli(["smoke"], env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 0, result.output
    assert marker_lines(marker) == []
    assert "rollback=not-needed" in outputs.read_text().splitlines()


def test_rollback_never_runs_on_a_config_error(app: Server, git_repo: Path, rollback_script: Path) -> None:
    marker = git_repo / "marker"
    _config(git_repo, app, "/error", rollback_cmd(rollback_script, marker), extra='wait = "soon"\n')
    result = cli(["smoke"])
    assert result.exit_code == 2
    assert marker_lines(marker) == []


def test_a_failing_rollback_is_reported(app: Server, git_repo: Path, rollback_script: Path) -> None:
    marker = git_repo / "marker"
    _config(git_repo, app, "/error", rollback_cmd(rollback_script, marker))
    outputs = git_repo / "github_output"
    result = cli(["smoke", "--json", "report.json"],
                 env={"ROLLBACK_EXIT": "7", "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 1
    assert marker_lines(marker) == ["target|failed"]
    report = json.loads((git_repo / "report.json").read_text())
    assert "exited 7" in json.dumps(report)
    assert "rollback=failed" in outputs.read_text().splitlines()


def test_missing_rollback_command_is_a_failed_rollback(app: Server, tmp_path: Path) -> None:
    report = run_gate({"base_url": app.url, "retries": 0, "rollback": "./no-such-rollback --now",
                       "checks": [{"name": "target", "path": "/error"}]}, tmp_path)
    rollback = report.checks[-1]
    assert rollback.group == "rollback" and rollback.status is Status.FAILED
    assert "rollback command not found: ./no-such-rollback" in rollback.summary


def test_rollback_timeout(app: Server, tmp_path: Path) -> None:
    import sys

    report = run_gate({"base_url": app.url, "retries": 0, "rollback_timeout": "300ms",
                       "rollback": [sys.executable, "-c", "import time; time.sleep(10)"],
                       "checks": [{"name": "target", "path": "/error"}]}, tmp_path)
    assert "rollback timed out after 0.3 s" in report.checks[-1].summary


def test_rollback_is_not_run_through_a_shell(app: Server, tmp_path: Path, rollback_script: Path) -> None:
    marker = tmp_path / "marker"
    injected = tmp_path / "injected"
    command = f"{rollback_cmd(rollback_script, marker)} ; touch {injected}"
    run_gate({"base_url": app.url, "retries": 0, "rollback": command,
              "checks": [{"name": "target", "path": "/error"}]}, tmp_path)
    assert marker_lines(marker) == ["target|failed"]
    assert not injected.exists()


def test_inconclusive_rolls_back_only_when_asked(app: Server, tmp_path: Path, rollback_script: Path) -> None:
    # A cleanup whose path cannot be built from the write's answer could not be checked: inconclusive.
    marker = tmp_path / "marker"
    section = {"base_url": app.url, "rollback": rollback_cmd(rollback_script, marker),
               "write": {"name": "write", "path": "/json", "method": "GET", "auth": False,
                         "cleanup": {"path": "/api/items/{missing}"}}}
    report = run_gate(section, tmp_path)
    assert report.exit_code == 3
    assert marker_lines(marker) == []
    report = run_gate({**section, "rollback_on_inconclusive": True}, tmp_path)
    assert report.exit_code == 3
    assert marker_lines(marker) == ["cleanup|inconclusive"]


def test_rollback_under_gates_run_post_deploy(app: Server, git_repo: Path, rollback_script: Path) -> None:
    marker = git_repo / "marker"
    write_config(git_repo, f'[stages]\npost-deploy = ["smoke"]\n[smoke]\nbase_url = "{app.url}"\nretries = 0\n'
                           '[[smoke.checks]]\nname = "target"\npath = "/error"\n')
    result = cli(["run", "--stage", "post-deploy", "--rollback-cmd", rollback_cmd(rollback_script, marker)])
    assert result.exit_code == 1, result.output
    assert marker_lines(marker) == ["target|failed"]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie nobody reaped yet is dead


def test_a_timed_out_rollback_is_stopped_with_its_children(tmp_path: Path) -> None:
    # subprocess.run killed only the first process: a child kept running (and one holding the output pipe
    # made the gate wait for it). The whole process group goes now.
    import sys

    from gates.smoke.rollback import run_rollback

    pids = tmp_path / "pids"
    script = tmp_path / "slow_rollback.py"
    script.write_text(
        "import subprocess, sys, time\n"
        "quiet = subprocess.Popen(['sleep', '60'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "loud = subprocess.Popen(['sleep', '30'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{quiet.pid}} {{loud.pid}}')\n"
        "print('rolling back...', flush=True)\n"
        "time.sleep(30)\n",
        encoding="utf-8",
    )
    check = run_rollback([sys.executable, str(script)], 1.0, tmp_path, {}, ())
    assert check.status is Status.FAILED
    assert check.message == "rollback timed out after 1 s"
    assert "rolling back..." in check.output
    children = [int(pid) for pid in pids.read_text().split()]
    for _ in range(100):  # signals are delivered asynchronously: give the kernel a moment, not a deadline
        if not any(_alive(pid) for pid in children):
            break
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)
