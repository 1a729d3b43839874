"""Checks from [smoke] against the real loopback app: pass, block, each failure kind, login, write, TLS."""

from __future__ import annotations

from pathlib import Path

from gates.report import Status
from tests.servers.http_app import HOSTNAME, PASSWORD, Server, refused_port
from tests.smoke.helpers import cli, key, run_gate, write_config


def by_name(report):  # type: ignore[no-untyped-def]
    return {check.name: check for check in report.checks}


def test_default_checks_pass_and_say_that_is_all(app: Server, tmp_path: Path) -> None:
    report = run_gate({"base_url": app.url}, tmp_path)
    checks = by_name(report)
    assert report.exit_code == 0
    assert checks["homepage"].status is Status.PASSED
    assert checks["health"].status is Status.PASSED and checks["health"].properties["path"] == "/health"
    assert "only the homepage and a health path were checked" in checks["homepage"].message


def test_declared_checks_with_every_expectation(app: Server, tmp_path: Path) -> None:
    section = {
        "base_url": app.url,
        "checks": [
            {"name": "home", "path": "/", "status": 200, "contains": "Welcome", "not_contains": "Traceback"},
            {"name": "health", "path": "/health", "status": [200, 204], "json_equals": {"status": "ok", "db.ok": True}},
            {"name": "list", "path": "/json", "json_equals": {"items.1.name": "b"}, "max_ms": 5000},
            {"name": "redirect", "path": "/redirect", "status": 302},
            {"name": "followed", "path": "/redirect", "follow_redirects": True, "status": 200},
        ],
    }
    report = run_gate(section, tmp_path)
    assert [c.status for c in report.checks] == [Status.PASSED] * 5
    assert report.exit_code == 0


def test_each_failure_kind_is_named(app: Server, tmp_path: Path) -> None:
    section = {
        "base_url": app.url,
        "retries": 0,
        "checks": [
            {"name": "500", "path": "/error"},
            {"name": "body", "path": "/", "contains": "Goodbye"},
            {"name": "json", "path": "/health", "json_equals": {"db.ok": False}},
            {"name": "latency", "path": "/slow?delay=0.3", "max_ms": 50},
            {"name": "timeout", "path": "/slow?delay=2", "timeout": "200ms"},
            {"name": "loop", "path": "/loop", "follow_redirects": True},
        ],
    }
    report = run_gate(section, tmp_path)
    checks = by_name(report)
    assert report.exit_code == 1
    assert all(check.status is Status.FAILED for check in report.checks)
    assert checks["500"].summary.startswith("status: 500")
    assert checks["body"].summary == "body: the answer does not contain 'Goodbye'"
    assert checks["json"].summary == "json: db.ok is true, expected false"
    assert checks["latency"].summary.startswith("latency: took")
    assert checks["timeout"].summary.startswith("timeout:")
    assert checks["loop"].summary.startswith("protocol:")


def test_refused_port_blocks_with_connect_kind(tmp_path: Path) -> None:
    with refused_port() as port:
        report = run_gate({"base_url": f"http://127.0.0.1:{port}", "backoff": "10ms"}, tmp_path)
    homepage = by_name(report)["homepage"]
    assert report.exit_code == 1
    assert homepage.summary.startswith("connect:")
    assert homepage.properties["attempts"] == 3  # the default two retries


def test_login_cookie_auth_check_and_write_with_cleanup(app: Server, tmp_path: Path) -> None:
    login = {"path": "/api/login", "json": {"email": "demo@example.com", "password": PASSWORD}}
    raw_login = {**login, "json": {"email": "demo@example.com", "password": "${DEMO_PASSWORD}"}}
    section = {
        "base_url": app.url,
        "login": login,
        "checks": [
            {"name": "dashboard", "path": "/dashboard", "auth": True, "contains": "Welcome back"},
            {"name": "dashboard anonymous", "path": "/dashboard", "status": 401},
        ],
        "write": {"name": "create item", "path": "/api/items", "json": {"title": "smoke"}, "status": 201,
                  "cleanup": {"path": "/api/items/{id}", "status": 204}},
    }
    created_before = len(app.state.created)
    report = run_gate(section, tmp_path, raw={**section, "login": raw_login})
    checks = by_name(report)
    assert report.exit_code == 0, [c.summary for c in report.checks]
    assert checks["login"].message.endswith("session cookie captured")
    assert checks["cleanup"].status is Status.PASSED
    item = app.state.created[created_before]
    assert item in app.state.deleted
    assert report.checks[0].name == "login"  # the login runs first


def test_token_login_and_form_login(app: Server, tmp_path: Path) -> None:
    for login in (
        {"path": "/api/token", "json": {"password": PASSWORD}, "token": "data.access_token"},
        {"path": "/api/login-form", "form": {"username": "demo", "password": PASSWORD}},
    ):
        raw = {"base_url": app.url, "login": {**login, "json": {}, "form": {}}}
        section = {"base_url": app.url, "login": login,
                   "checks": [{"name": "dashboard", "path": "/dashboard", "auth": True, "status": 200}]}
        report = run_gate(section, tmp_path, raw=raw)
        assert report.exit_code == 0, [c.summary for c in report.checks]


def test_failed_login_blocks_and_skips_signed_in_checks(app: Server, tmp_path: Path) -> None:
    section = {"base_url": app.url, "login": {"path": "/api/login", "json": {"password": "wrong-password"}},
               "checks": [{"name": "dashboard", "path": "/dashboard", "auth": True}]}
    report = run_gate(section, tmp_path, raw={**section, "login": {"path": "/api/login"}})
    checks = by_name(report)
    assert report.exit_code == 1
    assert checks["login"].status is Status.FAILED and "status 401" in checks["login"].summary
    assert checks["dashboard"].status is Status.SKIPPED


def test_https_needs_the_ca_bundle(tls_app: Server, tmp_path: Path) -> None:
    untrusted = run_gate({"base_url": tls_app.url, "retries": 0}, tmp_path)
    assert untrusted.exit_code == 1
    assert by_name(untrusted)["homepage"].summary.startswith("tls:")
    trusted = run_gate({"base_url": tls_app.url, "ca_bundle": tls_app.ca_bundle}, tmp_path)
    assert trusted.exit_code == 0


def test_resolve_checks_a_host_before_dns_points_at_it(tls_app: Server, git_repo: Path) -> None:
    result = cli(["smoke", "--base-url", f"https://{HOSTNAME}:{tls_app.port}", "--ca-bundle", str(tls_app.ca_bundle),
                  "--resolve", f"{HOSTNAME}:{tls_app.port}:127.0.0.1", "--path", "/json"])
    assert result.exit_code == 0, result.output
    assert "GET /json" in result.output


def test_connect_to_checks_the_real_origin_served_on_another_port(tls_app: Server, git_repo: Path) -> None:
    result = cli(["smoke", "--base-url", f"https://{HOSTNAME}", "--ca-bundle", str(tls_app.ca_bundle),
                  "--connect-to", f"{HOSTNAME}:443:127.0.0.1:{tls_app.port}", "--path", "/json", "--retries", "0"])
    assert result.exit_code == 0, result.output
    assert tls_app.state.requests[-1] == "GET /json"


def test_cli_blocks_with_exit_1(app: Server, git_repo: Path) -> None:
    write_config(git_repo, f'[smoke]\nbase_url = "{app.url}"\n[[smoke.checks]]\nname = "broken"\npath = "/error"\n')
    result = cli(["smoke", "--retries", "0"])
    assert result.exit_code == 1
    assert "broken" in result.output and "status: 500" in result.output


def test_flaky_route_key_is_fresh(app: Server, tmp_path: Path) -> None:
    # The session-wide app counts per key: each test gets its own.
    assert key() != key()
