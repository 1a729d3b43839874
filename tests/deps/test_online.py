"""The online path through the real pip-audit: never a false pass when its service is unreachable.

pip-audit runs for real; the "service" is either unreachable (a proxy on a closed loopback port),
a loopback OSV endpoint over tests/data (gates.deps.osv.server), or PyPI itself when it answers.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gates.cli import cli
from gates.deps.osv.server import serve

# Tests send traffic to loopback only, unless asked: these two reach PyPI (pip-audit's service, pip's resolver).
network = pytest.mark.skipif(
    os.environ.get("GATES_NETWORK_TESTS") != "1",
    reason="talks to PyPI; tests stay on loopback unless GATES_NETWORK_TESTS=1",
)


def deps(*args: str) -> Result:
    return CliRunner().invoke(cli, ["deps", *args])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("service", ["pypi", "osv"])
def test_unreachable_service_is_exit_3_naming_the_packages(git_repo: Path, unreachable: None, service: str) -> None:
    (git_repo / "requirements.txt").write_text("requests==2.19.0\nsix==1.16.0\n")
    result = deps("--service", service, "--timeout", "3", "--json", "out.json")
    assert result.exit_code == 3, result.output
    check = json.loads((git_repo / "out.json").read_text())["gates"][0]["checks"][0]
    assert check["status"] == "error"
    assert "requests 2.19.0" in check["message"] and "six 1.16.0" in check["message"]
    assert "audit offline with --db" in check["message"]  # the way out when the service is out of reach


def test_loopback_osv_endpoint_finds_the_vulnerability(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("requests==2.19.0\nsix==1.16.0\n")
    with serve(osv_db) as url:
        result = deps("--osv-url", url, "--json", "out.json")
    assert result.exit_code == 1, result.output
    data = json.loads((git_repo / "out.json").read_text())["gates"][0]
    messages = [f["message"] for c in data["checks"] for f in c["findings"]]
    assert any("PYSEC-2018-28" in m and "CVE-2018-18074" in m for m in messages)
    fixes = [f["fix"] for c in data["checks"] for f in c["findings"]]
    assert any("upgrade requests to 2.20.0" in f for f in fixes)


def test_clean_pins_pass_online(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("six==1.16.0\n")
    with serve(osv_db) as url:
        assert deps("--osv-url", url).exit_code == 0


def test_osv_endpoint_down_is_exit_3(git_repo: Path) -> None:
    (git_repo / "requirements.txt").write_text("six==1.16.0\n")
    result = deps("--osv-url", f"http://127.0.0.1:{closed_port()}/v1/query", "--timeout", "3")
    assert result.exit_code == 3, result.output


def test_npm_online_cannot_be_audited_by_pip_audit(git_repo: Path) -> None:
    (git_repo / "package-lock.json").write_text(json.dumps(
        {"lockfileVersion": 3, "packages": {"node_modules/lodash": {"version": "4.17.11"}}}))
    result = deps()
    assert result.exit_code == 3 and "lodash 4.17.11" in result.output


def test_no_resolve_online_warns_unpinned_without_calling_a_service(git_repo: Path) -> None:
    (git_repo / "requirements.txt").write_text("flask>=1.0\n")
    result = deps("--no-resolve", "--json", "out.json")
    assert result.exit_code == 0, result.output
    rules = [f["rule"] for c in json.loads((git_repo / "out.json").read_text())["gates"][0]["checks"]
             for f in c["findings"]]
    assert rules == ["unpinned-dependency"]


@network
def test_pypi_service_when_the_network_answers(git_repo: Path) -> None:
    (git_repo / "requirements.txt").write_text("requests==2.19.0\n")
    result = deps("--service", "pypi", "--timeout", "10", "--json", "out.json")
    check = json.loads((git_repo / "out.json").read_text())["gates"][0]["checks"][0]
    if check["status"] == "error":
        pytest.skip(f"pip-audit's PyPI service did not answer from this machine: {check['message'][:200]}")
    assert result.exit_code == 1
    assert "CVE-2018-18074" in json.dumps(check)


@network
def test_unpinned_requirements_are_resolved_like_pip_audit(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("jinja2<2.10.1\n")
    with serve(osv_db) as url:
        result = deps("--osv-url", url, "--json", "out.json")
    check = json.loads((git_repo / "out.json").read_text())["gates"][0]["checks"][0]
    if check["status"] == "error":
        pytest.skip(f"pip could not resolve from the package index here: {check['message'][:200]}")
    assert result.exit_code == 1, result.output
    assert "jinja2 2.10: PYSEC-2019-217" in json.dumps(check)


def test_two_files_pinning_one_package_differently(git_repo: Path, osv_db: Path) -> None:
    # pip-audit rejects a requirements file naming a package twice: the gate splits the run.
    (git_repo / "requirements.txt").write_text("requests==2.19.0\n")
    (git_repo / "requirements-dev.txt").write_text("requests==2.31.0\n")
    with serve(osv_db) as url:
        result = deps("requirements.txt", "requirements-dev.txt", "--osv-url", url, "--json", "out.json")
    assert result.exit_code == 1, result.output
    checks = {c["name"]: c["status"] for c in json.loads((git_repo / "out.json").read_text())["gates"][0]["checks"]}
    assert checks == {"requirements.txt": "failed", "requirements-dev.txt": "passed"}
