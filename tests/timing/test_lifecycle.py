"""`start` / `ready`: the gate starts the app, waits for it, and stops it however the run ends."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.errors import CannotEvaluate
from gates.report import Status
from gates.timing import run
from tests.servers import timing_app
from tests.timing.conftest import make_options

APP = Path(timing_app.__file__)


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _section(tmp_path: Path, pidfile: Path, budget: float) -> dict[str, object]:
    port = timing_app.free_port()
    return {
        "base_url": f"http://127.0.0.1:{port}", "ready": "/health", "ready_timeout": "30s",
        "start": [sys.executable, str(APP), "--port", str(port), "--pidfile", str(pidfile)],
        "duration": "1s", "routes": [{"name": "slow", "path": "/sleep/150", "p95_ms": budget}],
    }


@pytest.mark.parametrize(("budget", "expected"), [(2000, Status.PASSED), (50, Status.FAILED)])
def test_started_app_is_stopped_after_pass_and_block(tmp_path: Path, budget: float, expected: Status) -> None:
    pidfile = tmp_path / "app.pid"
    report = run(make_options(_section(tmp_path, pidfile, budget), tmp_path))
    assert report.checks[0].status is expected, report.checks[0].message
    assert _gone(int(pidfile.read_text()))


def test_app_that_exits_at_start_is_exit_3_with_its_output(git_repo: Path) -> None:
    command = json.dumps([sys.executable, "-c", "print('listening failed: port in use'); raise SystemExit(4)"])
    (git_repo / "gates.toml").write_text(
        f"[timing]\nbase_url = \"http://127.0.0.1:{timing_app.free_port()}\"\nstart = {command}\n"
        '[[timing.routes]]\nname = "home"\npath = "/"\n'
    )
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 3
    assert "exited with code 4" in result.output and "port in use" in result.output


def test_app_that_never_gets_ready_is_stopped(tmp_path: Path) -> None:
    pidfile = tmp_path / "app.pid"
    section = _section(tmp_path, pidfile, 2000)
    section["ready"] = "/no-such-health"  # 404 counts as answering, so point at a port nobody listens on
    section["base_url"] = f"http://127.0.0.1:{timing_app.free_port()}"
    section["ready_timeout"] = "1s"
    with pytest.raises(CannotEvaluate, match="did not answer within"):
        run(make_options(section, tmp_path))
    assert _gone(int(pidfile.read_text()))


def test_missing_start_command_is_exit_3(tmp_path: Path) -> None:
    section = _section(tmp_path, tmp_path / "pid", 2000)
    section["start"] = "no-such-command-for-gates --port 1"
    with pytest.raises(CannotEvaluate, match="cannot start the app"):
        run(make_options(section, tmp_path))


def test_app_output_in_the_error_is_redacted(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMING_TEST_PASSWORD", timing_app.PASSWORD)
    command = json.dumps([sys.executable, "-c", "import os; print('DB password', os.environ['TIMING_TEST_PASSWORD'])"])
    (git_repo / "gates.toml").write_text(
        f"[timing]\nbase_url = \"http://127.0.0.1:{timing_app.free_port()}\"\nstart = {command}\n"
        '[timing.login]\npath = "/login"\njson = { password = "${TIMING_TEST_PASSWORD}" }\n'
        '[[timing.routes]]\nname = "home"\npath = "/"\n'
    )
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 3 and "DB password" in result.output
    assert timing_app.PASSWORD not in result.output


def test_a_run_over_its_hard_timeout_is_exit_3(app_url: str, tmp_path: Path) -> None:
    options = make_options({"base_url": app_url, "duration": "5s", "timeout": "1s",
                            "routes": [{"name": "fast", "path": "/fast"}]}, tmp_path)
    with pytest.raises(CannotEvaluate, match="did not finish within 1s"):
        run(options)


def test_an_app_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    port = timing_app.free_port()
    pidfile = tmp_path / "stubborn.pid"
    code = (
        "import os, signal, http.server\n"
        f"open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler).serve_forever()\n"
    )
    (tmp_path / "index.html").write_text("hello")
    options = make_options({
        "base_url": f"http://127.0.0.1:{port}", "start": [sys.executable, "-c", code], "stop_timeout": "0.5s",
        "duration": "1s", "routes": [{"name": "home", "path": "/index.html", "p95_ms": 2000}],
    }, tmp_path)
    report = run(options)
    assert report.checks[0].status is Status.PASSED, report.checks[0].message
    assert _gone(int(pidfile.read_text()))
