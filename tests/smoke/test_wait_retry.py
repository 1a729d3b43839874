"""--wait for a deploy that comes up late (or never), and per-check retries with every attempt shown."""

from __future__ import annotations

from pathlib import Path

from gates.report import Status
from tests.servers.http_app import Server, refused_port, serve_late
from tests.smoke.helpers import key, run_gate


def test_wait_polls_until_a_late_server_answers(tmp_path: Path) -> None:
    with serve_late(0.8) as server:
        report = run_gate({"base_url": server.url, "wait": "20s"}, tmp_path)
    wait = report.checks[0]
    assert report.exit_code == 0, [c.summary for c in report.checks]
    assert wait.name == "wait for ready" and wait.status is Status.PASSED
    assert int(wait.properties["polls"]) > 1
    assert "/health: status 200" in wait.message


def test_wait_that_never_passes_is_a_failed_deploy(tmp_path: Path) -> None:
    with refused_port() as port:
        report = run_gate({"base_url": f"http://127.0.0.1:{port}", "wait": "0.6s"}, tmp_path)
    assert report.exit_code == 1
    assert len(report.checks) == 1  # no checks run against a deploy that never came up
    assert "deploy did not come up within 0.6 s" in report.checks[0].summary
    assert "Connection refused" in report.checks[0].summary


def test_wait_uses_the_configured_health_path(app: Server, tmp_path: Path) -> None:
    report = run_gate({"base_url": app.url, "wait": "5s", "health": "/json"}, tmp_path)
    assert report.checks[0].message.endswith("/json: status 200")


def test_503_twice_then_ok_passes_with_every_attempt_listed(app: Server, tmp_path: Path) -> None:
    section = {"base_url": app.url, "backoff": "20ms",
               "checks": [{"name": "flaky", "path": f"/flaky/{key()}?fails=2&status=503"}]}
    check = run_gate(section, tmp_path).checks[0]
    assert check.status is Status.PASSED
    assert check.properties["attempts"] == 3
    assert "after 2 retries" in check.message
    assert check.output.count("status 503") == 2 and "attempt 3: status 200" in check.output


def test_retries_run_out(app: Server, tmp_path: Path) -> None:
    section = {"base_url": app.url, "backoff": "10ms", "retries": 1,
               "checks": [{"name": "flaky", "path": f"/flaky/{key()}?fails=5&status=502"}]}
    check = run_gate(section, tmp_path).checks[0]
    assert check.status is Status.FAILED
    assert check.summary == "status: 502, expected below 400 (after 2 attempts)"


def test_a_500_is_not_retried(app: Server, tmp_path: Path) -> None:
    section = {"base_url": app.url, "backoff": "10ms",
               "checks": [{"name": "flaky", "path": f"/flaky/{key()}?fails=1&status=500"}]}
    check = run_gate(section, tmp_path).checks[0]
    assert check.status is Status.FAILED and check.properties["attempts"] == 1


def test_per_check_retries_override(app: Server, tmp_path: Path) -> None:
    section = {"base_url": app.url, "backoff": "10ms", "retries": 0,
               "checks": [{"name": "flaky", "path": f"/flaky/{key()}?fails=1", "retries": 1}]}
    assert run_gate(section, tmp_path).exit_code == 0
