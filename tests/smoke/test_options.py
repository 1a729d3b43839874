"""Bad input: exit 2 with a message naming the key, no traceback; nothing configured; --dry-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.errors import ConfigError, NotConfigured
from gates.report import Status
from tests.smoke.helpers import cli, run_gate, write_config


def test_no_base_url_is_not_configured(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match="base_url"):
        run_gate({}, tmp_path)


def test_no_base_url_on_the_command_line_exits_2(git_repo: Path) -> None:
    result = cli(["smoke"])
    assert result.exit_code == 2
    assert "set [smoke] base_url or --base-url" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wait", "soon"], "[smoke] wait: expected a duration"),
        (["--retries", "-1"], "[smoke] retries: expected a whole number"),
        (["--max-error-rate", "2"], "[smoke] max_error_rate: expected a number from 0 to 1"),
        (["--resolve", "app.test:443"], "expected HOST:PORT:ADDR"),
        (["--resolve", "app.test:http:127.0.0.1"], "expected a port number"),
        (["--ca-bundle", "missing.pem"], "--ca-bundle missing.pem: no such file"),
        (["--rollback-cmd", "'unclosed"], "[smoke] rollback: expected a command line"),
        (["--resolve", "app.test:443:app.internal"], "ADDR must be an IP address"),
        (["--connect-to", "app.test:443"], "expected HOST1:PORT1:HOST2:PORT2"),
        (["--path", "http://[::1"], "[smoke] paths: expected a valid http(s) URL"),
        (["--max-error-rate", "nan"], "[smoke] max_error_rate: expected a number from 0 to 1"),
        (["--timeout", "0"], "[smoke] timeout: expected a duration above zero"),
        (["--backoff", "1e400"], "[smoke] backoff: expected a finite duration"),
        (["--wait", "-5"], "[smoke] wait: expected a finite duration of zero or more"),  # was silently no wait
    ],
)
def test_bad_flags_exit_2(git_repo: Path, args: list[str], message: str) -> None:
    result = cli(["smoke", "--base-url", "http://127.0.0.1:9", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("url", "message"), [
    ("app.example.com", "[smoke] base_url: expected an http:// or https:// URL"),
    ("http://[::1", "[smoke] base_url: expected a valid http(s) URL"),  # was an httpx.InvalidURL traceback
    ("http://127.0.0.1:99999", "[smoke] base_url: expected a valid http(s) URL"),  # was an OverflowError traceback
    ("http://:80", "(no host)"),
])
def test_bad_base_url_exits_2(git_repo: Path, url: str, message: str) -> None:
    result = cli(["smoke", "--base-url", url])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(("table", "message"), [
    ('[[smoke.checks]]\npath = "/"\nstatus = 99', "checks[0] status: expected an HTTP status (100-599)"),
    ('[[smoke.checks]]\npath = "/"\nmax_ms = -1', "checks[0] max_ms: expected a number above zero"),
    ('[[smoke.checks]]\npath = "/"\nretries = -3', "checks[0] retries: expected a whole number"),
    ('[[smoke.checks]]\npath = "/"\ntimeout = 0', "checks[0] timeout: expected a number above zero"),
    ('[[smoke.checks]]\npath = "/"\nmethod = "GET X"', "checks[0] method: expected an HTTP method"),
    ('[[smoke.checks]]\npath = "/"\nheaders = { "Bad Header" = "x" }', "checks[0] headers.Bad Header"),
    ('[[smoke.checks]]\npath = "/"\njson = { a = 1 }\nform = { b = "2" }', "json, form and body are alternatives"),
    ('[[smoke.checks]]\npath = "/"\nmethod = "HEAD"\ncontains = "x"', "a HEAD answer has no body"),
    ('headers = { X = "a\\nb" }', "[smoke] headers.X"),
    # the cleanup table was not validated: retries = "x" was a ValueError traceback
    ('[smoke.write]\npath = "/x"\ncleanup = { path = "/y", retries = "x" }',
     "[smoke.write.cleanup] retries: expected an integer"),
])
def test_bad_config_tables_exit_2(git_repo: Path, table: str, message: str) -> None:
    write_config(git_repo, f'[smoke]\nbase_url = "http://127.0.0.1:9"\n{table}\n')
    result = cli(["smoke"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_config_errors_name_the_file_and_key(git_repo: Path) -> None:
    write_config(git_repo, '[smoke]\nbase_url = "http://127.0.0.1:9"\nretries = "two"\n')
    result = cli(["smoke"])
    assert result.exit_code == 2
    assert "gates.toml: [smoke] retries: expected an integer" in result.output


def test_auth_check_without_login_is_a_config_error(tmp_path: Path) -> None:
    section = {"base_url": "http://127.0.0.1:9", "checks": [{"name": "dash", "path": "/dashboard", "auth": True}]}
    with pytest.raises(ConfigError, match="'dash' has auth = true but there is no"):
        run_gate(section, tmp_path)


def test_literal_password_in_config_is_refused(git_repo: Path) -> None:
    write_config(git_repo, '[smoke]\nbase_url = "http://127.0.0.1:9"\n'
                           '[smoke.login]\npath = "/api/login"\njson = { email = "a@b.c", password = "hunter22" }\n')
    result = cli(["smoke"])
    assert result.exit_code == 2
    assert "json.password: a literal credential in the config" in result.output
    assert "hunter22" not in result.output


def test_duplicate_check_names_are_refused(tmp_path: Path) -> None:
    section = {"base_url": "http://127.0.0.1:9", "checks": [{"name": "a", "path": "/"}, {"name": "a", "path": "/x"}]}
    with pytest.raises(ConfigError, match="two checks are named 'a'"):
        run_gate(section, tmp_path)


def test_dry_run_sends_nothing_and_says_what_would_happen(git_repo: Path) -> None:
    write_config(git_repo, '[smoke]\nbase_url = "http://127.0.0.1:9"\nwait = "2m"\nrollback = "./rollback.sh --now"\n'
                           '[[smoke.checks]]\nname = "dashboard"\npath = "/dashboard"\nmax_ms = 3000\n')
    result = cli(["smoke", "--dry-run", "--watch", "5m", "--interval", "15s", "--json", "plan.json"])
    assert result.exit_code == 0, result.output
    plan = (git_repo / "plan.json").read_text()
    for text in ("poll /health, /healthz, /api/health, / for up to 120 s", "GET /dashboard", "<= 3000 ms",
                 "repeat every 15 s for 300 s", "./rollback.sh --now"):
        assert text in plan


def test_dry_run_checks_are_skipped(tmp_path: Path) -> None:
    report = run_gate({"base_url": "http://127.0.0.1:9", "dry_run": True}, tmp_path)
    assert {c.status for c in report.checks} == {Status.SKIPPED}
    assert "do nothing: no rollback command is set" in report.checks[-1].message
