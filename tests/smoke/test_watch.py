"""--watch: a short window (1 s, rounds every 0.2 s) that passes, fails, or is inconclusive."""

from __future__ import annotations

from pathlib import Path

from gates.report import Status
from gates.smoke import watch as watch_module
from tests.servers.http_app import PASSWORD, Server
from tests.smoke.helpers import key, marker_lines, rollback_cmd, run_gate


def test_a_healthy_window_passes(app: Server, tmp_path: Path) -> None:
    report = run_gate({"base_url": app.url, "watch": "1s", "interval": "0.2s",
                       "checks": [{"name": "health", "path": "/health", "max_ms": 5000}]}, tmp_path)
    window = report.checks[-1]
    assert report.exit_code == 0, window.output
    assert window.name == "watch window" and window.status is Status.PASSED
    assert int(window.properties["rounds"]) >= 1
    assert "p95_ms.health" in window.properties


def test_a_release_that_degrades_in_the_window_fails_and_rolls_back(app: Server, tmp_path: Path,
                                                                     rollback_script: Path) -> None:
    marker = tmp_path / "marker"
    report = run_gate({"base_url": app.url, "watch": "1s", "interval": "0.2s", "retries": 0,
                       "rollback": rollback_cmd(rollback_script, marker),
                       "checks": [{"name": "orders", "path": f"/after/{key()}?ok=1&status=500"}]}, tmp_path)
    window = next(c for c in report.checks if c.name == "watch window")
    assert report.exit_code == 1
    assert window.status is Status.FAILED
    rules = {f.rule for f in window.findings}
    assert {"failed-rounds", "error-rate"} <= rules
    assert marker_lines(marker) == ["watch window|failed"]


def test_failure_limit_and_error_rate_tolerate_one_bad_round(app: Server, tmp_path: Path) -> None:
    # The first round passes, the second request (the first watch round) fails once, the rest pass.
    report = run_gate({"base_url": app.url, "watch": "1s", "interval": "0.2s", "retries": 0,
                       "failure_limit": 1, "max_error_rate": 1.0,
                       "checks": [{"name": "blip", "path": f"/blip/{key()}?at=1"}]}, tmp_path)
    window = report.checks[-1]
    assert report.exit_code == 0, window.output
    assert window.properties["failed_rounds"] == 1


def test_judge_is_inconclusive_after_too_many_rounds_that_could_not_check(tmp_path: Path) -> None:
    from gates.config import Config
    from gates.context import GateContext
    from gates.smoke.options import options_from_config

    ctx = GateContext(root=tmp_path, config=Config(None, tmp_path, {}))
    options = options_from_config({"base_url": "http://127.0.0.1:9", "consecutive_errors": 2}, ctx)
    check = watch_module._judge(options, rounds=5, failed_rounds=0, runs=2, failures=0, worst_streak=3,
                                latencies={}, budgets={}, lines=[], elapsed=1.0)
    assert check.status is Status.ERROR and check.properties["verdict"] == "inconclusive"
    check = watch_module._judge(options, rounds=5, failed_rounds=0, runs=10, failures=0, worst_streak=2,
                                latencies={"a": [10.0, 20.0]}, budgets={"a": 15.0}, lines=[], elapsed=1.0)
    assert check.status is Status.FAILED and check.findings[0].rule == "latency"


def test_the_write_happens_once_not_every_round(app: Server, tmp_path: Path) -> None:
    before = len(app.state.created)
    login = {"path": "/api/login"}
    section = {"base_url": app.url, "watch": "0.5s", "interval": "0.1s",
               "login": {**login, "json": {"password": PASSWORD}},
               "checks": [{"name": "health", "path": "/health"}],
               "write": {"path": "/api/items", "json": {"t": 1}, "status": 201,
                         "cleanup": {"path": "/api/items/{id}", "status": 204}}}
    report = run_gate(section, tmp_path, raw={**section, "login": {"path": "/api/login"}})
    assert report.exit_code == 0, [c.summary for c in report.checks]
    assert len(app.state.created) == before + 1
