"""`gates email` through the CLI: exit codes 0/1/2/3, outputs, and no planted secret in any byte written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.email.conftest import PLANTED
from tests.servers.dns_server import DNSServer


def cli(args: list[str], env: dict[str, str] | None = None) -> Result:
    from gates.cli import cli as gates_cli

    return CliRunner().invoke(gates_cli, args, env=env or {}, catch_exceptions=False)


def test_pass(git_repo: Path, dns_server: DNSServer) -> None:
    result = cli(["email", "--domain", "good.test", "--dkim-selector", "s1", "--nameserver", dns_server.nameserver,
                  "--json", "report.json", "--junit-xml", "junit.xml"])
    assert result.exit_code == 0, result.output
    report = json.loads((git_repo / "report.json").read_text())
    assert "email" in json.dumps(report)
    assert 'classname="gates.email.spf"' in (git_repo / "junit.xml").read_text()


def test_block(git_repo: Path, dns_server: DNSServer) -> None:
    result = cli(["email", "--domain", "eleven.test", "--nameserver", dns_server.nameserver])
    assert result.exit_code == 1
    assert "spf-lookup-limit" in result.output


def test_strict_flag_blocks_on_warnings(git_repo: Path, dns_server: DNSServer) -> None:
    args = ["email", "--domain", "good.test", "--dkim-selector", "rsa1024", "--nameserver", dns_server.nameserver]
    assert cli(args).exit_code == 1  # no key at rsa1024._domainkey.good.test
    args = ["email", "--domain", "pnone.test", "--dkim-selector", "s1", "--nameserver", dns_server.nameserver]
    assert cli([*args, "--strict"]).exit_code == 1


def test_policy_from_config_file(git_repo: Path, dns_server: DNSServer) -> None:
    (git_repo / "gates.toml").write_text(
        f'[email]\ndomains = ["pnone.test"]\ndkim_selectors = ["s1"]\npolicy = "strict"\n'
        f'nameservers = ["{dns_server.nameserver}"]\ntimeout = "2s"\n')
    result = cli(["email"])
    assert result.exit_code == 1
    assert "dmarc-policy-weak" in result.output
    assert cli(["email", "--policy", "baseline"]).exit_code in (0, 1)


def test_could_not_check(git_repo: Path, zone_text: str) -> None:
    with DNSServer(zone_text, mode="servfail") as server:
        result = cli(["email", "--domain", "good.test", "--dkim-selector", "s1", "--nameserver", server.nameserver])
    assert result.exit_code == 3
    assert "could not check" in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--domain", "good.test", "--nameserver", "dns.google"], "nameservers"),
        (["--domain", "not a domain"], "domains"),
        (["--domain", "\u2603.example"], "domains"),  # a snowman: IDNA 2003 encoded it, IDNA 2008 refuses it
        (["--domain", "good.test", "--nameserver", "[::1"], "nameservers"),
        (["--domain", "good.test", "--timeout", "soon"], "timeout"),
        ([], "--domain"),
    ],
)
def test_bad_input(git_repo: Path, args: list[str], needle: str) -> None:
    result = cli(["email", *args])
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_bad_config_value(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text('[email]\ndomains = ["good.test"]\npolicy = "lenient"\n')
    result = cli(["email"])
    assert result.exit_code == 2
    assert "policy" in result.output and "Traceback" not in result.output


def test_planted_secret_in_no_output(git_repo: Path, dns_server: DNSServer) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(git_repo / "out"),
           "GITHUB_STEP_SUMMARY": str(git_repo / "summary.md")}
    base = ["email", "--domain", "planted.test", "--dkim-selector", "s1", "--nameserver", dns_server.nameserver]
    result = cli([*base, "--junit-xml", "junit.xml", "--json", "report.json"], env=env)
    stdout_json = cli([*base, "--json", "-"], env=env)
    written = [result.output, stdout_json.output, *(p.read_text() for p in (
        git_repo / "junit.xml", git_repo / "report.json", git_repo / "out", git_repo / "summary.md"))]
    assert "token=" in (git_repo / "junit.xml").read_text()  # the record is quoted, the token masked
    for text in written:
        assert PLANTED not in text
