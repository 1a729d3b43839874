"""Outputs: JUnit properties per route, the HTML report, the capacity finder, and redaction everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import junitparser
import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.report import Status
from gates.timing import run
from tests.servers.timing_app import EMAIL, PASSWORD
from tests.timing.conftest import make_options


def test_every_output_hides_the_login_password(app_url: str, git_repo: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMING_TEST_PASSWORD", PASSWORD)
    (git_repo / "gates.toml").write_text(
        f'[timing]\nbase_url = "{app_url}"\nusers = 3\nduration = "1.5s"\nthink_time = 0.05\nmin_requests = 5\n'
        '[timing.login]\npath = "/login"\ntoken = "access_token"\n'
        f'json = {{ email = "{EMAIL}", password = "${{TIMING_TEST_PASSWORD}}" }}\n'
        '[[timing.routes]]\nname = "private"\npath = "/private"\nauth = true\np95_ms = 2000\n'
        '[[timing.routes]]\nname = "login"\nmethod = "POST"\npath = "/login"\np95_ms = 0.1\n'
        f'json = {{ email = "{EMAIL}", password = "${{TIMING_TEST_PASSWORD}}" }}\n'
    )
    result = CliRunner().invoke(cli, ["timing", "--junit-xml", "out/junit.xml", "--json", "out/r.json",
                                      "--html", "out/timing.html"])
    assert result.exit_code == 1, result.output  # the login route is over its 0.1 ms budget
    written = [result.output.encode()] + [p.read_bytes() for p in (git_repo / "out").iterdir()]
    assert len(written) == 4
    for blob in written:
        assert PASSWORD.encode() not in blob
    suite = next(iter(junitparser.JUnitXml.fromfile(str(git_repo / "out/junit.xml"))))
    cases = {case.name: case for case in suite}
    assert set(cases) == {"private", "login"}
    root = ElementTree.parse(git_repo / "out/junit.xml").getroot()
    # Per-route figures are suite properties named <route>.<figure> (the JUnit XSD has no testcase properties).
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert {f"private.{k}" for k in ("p50_ms", "p95_ms", "p99_ms", "rps", "errors", "error_rate")} <= set(props)
    failure = next(c for c in root.iter("testcase") if c.get("name") == "login").find("failure")
    assert failure is not None and "p95" in failure.get("message", "") and "req" in failure.get("message", "")
    page = (git_repo / "out/timing.html").read_text()
    assert page.count("<svg") == 4 and "p95 budget" in page
    assert not any(fetch in page for fetch in ("<script", "src=", "<link", "@import"))  # opens offline
    data = json.loads((git_repo / "out/r.json").read_text())
    assert data["exit_code"] == 1 and data["gates"][0]["gate"] == "timing"


def test_ramp_reports_the_most_users_that_held(app_url: str, tmp_path: Path) -> None:
    # /contended sleeps 20 ms per request in flight: 1 user stays near 20 ms, 8 busy users near 160 ms.
    options = make_options({
        "base_url": app_url, "ramp": "1,8", "duration": "1.5s", "think_time": 0,
        "routes": [{"name": "contended", "path": "/contended", "p95_ms": 100}],
    }, tmp_path)
    report = run(options)
    checks = {check.name: check for check in report.checks}
    capacity = checks["capacity"]
    assert capacity.properties["max_users_held"] == 1 and capacity.properties["broke_at_users"] == 8
    assert capacity.status is Status.PASSED and "contended broke first" in capacity.message
    assert checks["contended"].status is Status.PASSED and report.metrics["users"] == 1
