"""A password in an index URL of a requirements file never reaches any output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli

PASSWORD = "Sup3r-s3cret-pw-42"
INDEX = f"https://deploy:{PASSWORD}@pypi.internal.example/simple"


def test_index_password_is_in_no_output(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text(
        f"--index-url {INDEX}\n--extra-index-url {INDEX}\nrequests==2.19.0\n"
        f"private @ https://deploy:{PASSWORD}@pypi.internal.example/private-1.0.whl\nflask>=1\n"
    )
    result = CliRunner().invoke(cli, ["deps", "--db", str(osv_db), "--junit-xml", "out/junit.xml",
                                      "--sarif", "out/report.sarif", "--json", "out/report.json"])
    assert result.exit_code == 1, result.output
    assert PASSWORD not in result.output
    for name in ("junit.xml", "report.sarif", "report.json"):
        data = (git_repo / "out" / name).read_bytes()
        assert data, name
        assert PASSWORD.encode() not in data, name


def test_password_in_a_malformed_line_is_not_echoed(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text(f"broken @@ https://deploy:{PASSWORD}@host/x.whl ;;\n")
    result = CliRunner().invoke(cli, ["deps", "requirements.txt", "--db", str(osv_db)])
    assert result.exit_code == 2
    assert "requirements.txt:1" in result.output
    assert PASSWORD not in result.output


def test_password_in_an_unknown_option_is_not_echoed(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text(f"--weird-index={INDEX}\n")
    result = CliRunner().invoke(cli, ["deps", "requirements.txt", "--db", str(osv_db)])
    assert result.exit_code == 2
    assert PASSWORD not in result.output


def test_index_password_is_not_leaked_when_online_resolution_fails(git_repo: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # pip cannot reach the (closed, loopback) private index: exit 3, and its error text is masked.
    monkeypatch.setenv("PIP_RETRIES", "0")  # pip inside pip-audit's venv: fail fast, not after 5 retries
    (git_repo / "requirements.txt").write_text(f"--index-url https://deploy:{PASSWORD}@127.0.0.1:9/simple\nflask>=1\n")
    result = CliRunner().invoke(cli, ["deps", "--osv-url", "http://127.0.0.1:9/v1/query", "--timeout", "3",
                                      "--json", "out.json", "--junit-xml", "junit.xml"])
    assert result.exit_code == 3, result.output
    assert PASSWORD not in result.output
    for name in ("out.json", "junit.xml"):
        assert PASSWORD.encode() not in (git_repo / name).read_bytes()
