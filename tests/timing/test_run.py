"""The gate against the real timing app: budgets that must pass and must block, auth, inconclusive runs."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.errors import CannotEvaluate
from gates.report import Status
from gates.timing import run
from tests.servers.timing_app import EMAIL, PASSWORD
from tests.timing.conftest import make_options


def test_budgets_pass_and_block_in_one_run(app_url: str, tmp_path: Path) -> None:
    # Five routes share 3 users: 3 s and min_requests 3 leave every weight-1 route enough samples on a busy
    # machine, while the weight-0.001 route gets none.
    options = make_options({
        "base_url": app_url, "duration": "3s", "min_requests": 3,
        "login": {"path": "/login", "json": {"email": EMAIL, "password": PASSWORD}, "token": "access_token"},
        "routes": [
            {"name": "fast", "path": "/fast", "p95_ms": 2000, "weight": 2},
            {"name": "slow", "path": "/sleep/300", "p95_ms": 100},
            {"name": "flaky", "path": "/error?rate=0.5", "p95_ms": 2000},  # every 2nd request fails
            {"name": "private", "path": "/private", "auth": True, "p95_ms": 2000},
            {"name": "rare", "path": "/fast", "weight": 0.001, "p95_ms": 2000},
        ],
    }, tmp_path)
    before = set(sys.modules)
    report = run(options)
    loaded = set(sys.modules) - before
    checks = {check.name: check for check in report.checks}
    assert checks["fast"].status is Status.PASSED, checks["fast"].message
    assert checks["private"].status is Status.PASSED, checks["private"].message
    assert checks["slow"].status is Status.FAILED
    assert checks["slow"].findings[0].rule == "p95-budget" and float(checks["slow"].properties["p95_ms"]) >= 300
    assert checks["flaky"].status is Status.FAILED and checks["flaky"].findings[0].rule == "error-rate"
    assert "HTTP 500" in checks["flaky"].output
    # A route with too few samples is inconclusive, never a pass or a false fail.
    assert checks["rare"].status is Status.ERROR and "min_requests" in checks["rare"].message
    for name in ("fast", "slow", "flaky", "private"):
        props = checks[name].properties
        assert {"p50_ms", "p95_ms", "p99_ms", "error_rate", "requests", "cold_start_ms", "rps"} <= set(props)
        assert float(props["p50_ms"]) <= float(props["p95_ms"]) <= float(props["p99_ms"])
    assert report.exit_code == 1
    assert report.metrics["mode"] == "closed" and report.metrics["users"] == 3
    # Locust ran in its own process: nothing of it, nor gevent's monkey-patching, entered this one.
    assert not [name for name in loaded if name.split(".")[0] in ("locust", "gevent", "geventhttpclient")]


def test_failed_login_stops_the_gate_before_the_load(app_url: str, tmp_path: Path) -> None:
    options = make_options({
        "base_url": app_url, "duration": "1s",
        "login": {"path": "/login", "json": {"email": EMAIL, "password": "wrong-password"}},
        "routes": [{"name": "private", "path": "/private", "auth": True}],
    }, tmp_path)
    with pytest.raises(CannotEvaluate, match="cannot log in.*401"):
        run(options)


def test_cookie_session_login(app_url: str, tmp_path: Path) -> None:
    options = make_options({
        "base_url": app_url, "duration": "1s",
        "login": {"path": "/login", "json": {"email": EMAIL, "password": PASSWORD}},
        "routes": [{"name": "private", "path": "/private", "auth": True, "p95_ms": 2000}],
    }, tmp_path)
    check = run(options).checks[0]
    assert check.status is Status.PASSED, check.message


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_unreachable_base_url_is_exit_3(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text(
        f'[timing]\nbase_url = "{_refused_url()}"\n[[timing.routes]]\nname = "home"\npath = "/"\n'
    )
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 3
    assert "cannot reach" in result.output and "Traceback" not in result.output


def test_open_workload_sees_the_stall_and_is_one_flag_away(git_repo: Path) -> None:
    from tests.servers.timing_app import serve

    with serve(stall_every=1.0, stall_ms=300) as url:
        (git_repo / "gates.toml").write_text(
            f'[timing]\nbase_url = "{url}"\nduration = "2s"\nmin_requests = 5\n'
            '[[timing.routes]]\nname = "fast"\npath = "/fast"\np95_ms = 100\n'
        )
        result = CliRunner().invoke(cli, ["timing", "--arrival-rate", "40", "--json", "out.json"])
    data = json.loads((git_repo / "out.json").read_text())
    check = data["gates"][0]["checks"][0]
    assert data["gates"][0]["metrics"]["mode"] == "open"
    # Requests scheduled during a 300 ms stall each second wait for it: ~30% of them, so p95 >= 100 ms.
    assert check["properties"]["p95_ms"] >= 100, check
    assert result.exit_code == 1, result.output


def test_two_generator_processes_merge_their_samples(app_url: str, tmp_path: Path) -> None:
    options = make_options({"base_url": app_url, "duration": "1.5s", "processes": 2,
                            "routes": [{"name": "fast", "path": "/fast", "p95_ms": 2000}]}, tmp_path)
    report = run(options)
    check = report.checks[0]
    assert check.status is Status.PASSED, check.message
    assert report.metrics["processes"] == 2 and report.metrics["users"] == 3
    assert int(check.properties["requests"]) >= 10


def test_users_split_over_processes() -> None:
    from gates.timing.engine import split

    assert split(25, 2) == [13, 12] and split(3, 8) == [1, 1, 1] and split(5, 1) == [5]
