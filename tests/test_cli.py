from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gates import __version__
from gates.cli import SUBCOMMANDS, cli
from gates.cli_support import Outputs, emit, merge_flags
from tests.samples import PLANTED, mixed_report, passing_report

HEAVY = ["locust", "gevent", "pip_audit", "dns", "pglast", "pgserver", "detect_secrets", "httpx", "rich",
         "cryptography", "junit_xml", "yaml", *[f"gates.{name}" for name in SUBCOMMANDS if name not in ("run", "init")]]


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = (
        "import sys, gates.cli\n"
        f"heavy = {HEAVY!r}\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_imports_no_gate() -> None:
    code = (
        "import sys\nfrom gates.cli import cli\n"
        "try:\n    cli(['--help'], prog_name='gates')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "LOADED []"
    assert "Commands:" in done.stdout and "run" in done.stdout


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "gates", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and __version__ in done.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2


def test_run_in_a_repository_without_config(git_repo: Path) -> None:
    (git_repo / "README.md").write_text("hello\n")
    subprocess.run(["git", "add", "."], cwd=git_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=git_repo, check=True)
    result = CliRunner().invoke(cli, ["run", "--junit-xml", "out/junit.xml", "--json", "out/r.json"])
    assert result.exit_code in (0, 1, 3), result.output
    assert "Traceback" not in result.output
    assert "gates run: ran:" in result.output
    document = json.loads((git_repo / "out" / "r.json").read_text())
    assert [gate["gate"] for gate in document["gates"]] == ["secrets", "deps", "migrations", "timing"]
    assert document["exit_code"] == result.exit_code
    assert (git_repo / "out" / "junit.xml").read_text().count("<testsuite ") == 4


def test_run_unknown_gate_in_list(git_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--gates", "secrest"])
    assert result.exit_code == 2
    assert "unknown gate 'secrest'" in result.output


def test_merge_flags_overrides_only_set_flags() -> None:
    merged = merge_flags({"base_url": "a", "retries": 2}, {"base_url": "b", "retries": None, "resolve": ()})
    assert merged == {"base_url": "b", "retries": 2}
    assert merge_flags({}, {"resolve": ("h:443:127.0.0.1",)}) == {"resolve": ["h:443:127.0.0.1"]}


def test_emit_writes_every_output_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "gh-output"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "gh-summary"))
    outputs = Outputs(junit_xml=tmp_path / "j.xml", sarif=tmp_path / "s.sarif", json=str(tmp_path / "r.json"))
    code = emit([mixed_report(), passing_report()], outputs)
    assert code == 1
    written = capsys.readouterr()
    assert "::error file=config/settings.py,line=12" in written.out
    assert "result=blocked" in (tmp_path / "gh-output").read_text()
    assert f"junit={tmp_path / 'j.xml'}" in (tmp_path / "gh-output").read_text()
    everything = written.out + written.err + "".join(p.read_text() for p in tmp_path.iterdir())
    assert PLANTED not in everything and PLANTED[4:] not in everything


def test_json_to_stdout_keeps_stdout_parseable(capsys: pytest.CaptureFixture[str]) -> None:
    emit([passing_report()], Outputs(json="-"))
    out = capsys.readouterr()
    assert json.loads(out.out)["status"] == "passed"
    assert "gates deps: passed" in out.err


def test_error_messages_are_redacted(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text('[smoke]\n"postgres://app:s3cretPassw0rd@db/app" = 1\n')
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "s3cretPassw0rd" not in result.output


def test_an_unexpected_crash_is_exit_3_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from gates.cli_support import error_boundary

    with pytest.raises(SystemExit) as exited, error_boundary(debug=False):
        raise KeyError("postgres://app:s3cretPassw0rd@db/app")
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: KeyError" in err and "Traceback" not in err
    assert "s3cretPassw0rd" not in err


@pytest.mark.parametrize("gate", ["secrets", "deps", "migrations", "timing", "smoke", "edge", "email", "ai"])
def test_gate_help_imports_nothing_heavy(gate: str) -> None:
    heavy = ["locust", "gevent", "pip_audit", "dns", "pglast", "pgserver", "detect_secrets", "httpx", "rich",
             "cryptography", "junit_xml", "yaml", "gates.config", "gates.report"]
    code = (
        "import sys\nfrom gates.cli import cli\n"
        f"try:\n    cli([{gate!r}, '--help'], prog_name='gates')\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "LOADED []", done.stdout[-500:]


def test_sigterm_unwinds_like_ctrl_c(git_repo: Path) -> None:
    import signal
    import time

    from tests.servers.http_app import refused_port

    with refused_port() as port:
        gates = str(Path(sys.executable).parent / "gates")
        process = subprocess.Popen([gates, "smoke", "--base-url", f"http://127.0.0.1:{port}", "--wait", "60s"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.5)  # let it start polling
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 130, out
    assert "gates: interrupted" in out
