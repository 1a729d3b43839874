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


def test_token_in_bare_vcs_and_url_lines_is_in_no_output(git_repo: Path, osv_db: Path) -> None:
    # pip freeze writes `-e git+https://TOKEN@host/...`; bare URL lines are not-auditable warnings now,
    # named after the project, never after the URL.
    (git_repo / "requirements.txt").write_text(
        f"git+https://x-access-token:{PASSWORD}@github.com/org/tool.git@v1\n"
        f"https://deploy:{PASSWORD}@files.example/wheelpkg-1.0-py3-none-any.whl\n"
        f"-e git+https://deploy:{PASSWORD}@github.com/org/lib.git\nsix==1.16.0\n")
    result = CliRunner().invoke(cli, ["deps", "--db", str(osv_db), "--junit-xml", "out/junit.xml",
                                      "--sarif", "out/report.sarif", "--json", "out/report.json"])
    assert result.exit_code == 0, result.output
    written = (git_repo / "out" / "report.json").read_text()
    for name in ("tool", "wheelpkg", "lib"):  # named from the path, so none collapses into another
        assert f"{name}: not audited" in written
    assert PASSWORD not in result.output
    for name in ("junit.xml", "report.sarif", "report.json"):
        assert PASSWORD.encode() not in (git_repo / "out" / name).read_bytes(), name
