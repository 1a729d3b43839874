"""`gates secrets` through the CLI: exit codes, outputs, redaction, baselines, allow entries, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from tests.secrets.fakes import GITHUB_CLASSIC, OPENAI, SERVICE_ROLE, STRIPE_LIVE, commit, git


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["secrets", *args])
    return result.exit_code, result.output


def test_clean_repo_exits_0_and_writes_junit_and_sarif(git_repo: Path) -> None:
    commit(git_repo, {"app.py": "print('ok')\n"})
    code, output = invoke("--history", "--junit-xml", "out/j.xml", "--sarif", "out/s.sarif")
    assert code == 0, output
    assert "history (all refs)" in output
    assert "commits_scanned" in (git_repo / "out" / "j.xml").read_text()
    assert json.loads((git_repo / "out" / "s.sarif").read_text())["runs"][0]["results"] == []


def test_findings_exit_1_and_no_output_holds_a_planted_secret(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(git_repo, {"config.py": f'OPENAI = "{OPENAI}"\nSUPA = "{SERVICE_ROLE}"\n'})
    commit(git_repo, {"config.py": None, "billing.py": f"stripe_key = '{STRIPE_LIVE}'\n"})
    (git_repo / "out").mkdir()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # annotations, step summary and outputs too
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(git_repo / "out" / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(git_repo / "out" / "github-output"))
    code, output = invoke("--junit-xml", "out/j.xml", "--sarif", "out/s.sarif", "--json", "out/r.json")
    assert code == 1, output
    assert "::error file=billing.py,line=1" in output
    written = output + "".join(p.read_text() for p in (git_repo / "out").iterdir())
    for secret in (OPENAI, SERVICE_ROLE, STRIPE_LIVE):
        assert secret not in written
        assert secret[8:24] not in written
    sarif = json.loads((git_repo / "out" / "s.sarif").read_text())
    locations = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert locations == {"config.py", "billing.py"}
    report = json.loads((git_repo / "out" / "r.json").read_text())
    assert report["exit_code"] == 1
    assert "supabase-service-role" in (git_repo / "out" / "j.xml").read_text()


def test_baseline_written_then_suppresses_and_has_no_line_numbers(git_repo: Path) -> None:
    commit(git_repo, {"a.py": f"token = {GITHUB_CLASSIC}\n"})
    code, output = invoke("baseline")
    assert code == 0, output
    document = json.loads((git_repo / ".secrets.baseline").read_text())
    [entry] = document["results"]["a.py"]
    assert "line_number" not in entry and "generated_at" not in document
    assert any(p["name"] == "KeywordDetector" for p in document["plugins_used"])
    assert invoke()[0] == 0
    commit(git_repo, {".secrets.baseline": (git_repo / ".secrets.baseline").read_text()})
    assert invoke()[0] == 0  # its hashed_secret values are not hex "secrets" themselves
    # Moving the secret down the file changes nothing in the baseline.
    commit(git_repo, {"a.py": f"# header\n\ntoken = {GITHUB_CLASSIC}\n"})
    before = (git_repo / ".secrets.baseline").read_text()
    assert invoke("baseline")[0] == 0
    assert (git_repo / ".secrets.baseline").read_text() == before
    # A new secret is not in the baseline: it blocks.
    commit(git_repo, {"b.py": f"key = '{STRIPE_LIVE}'\n"})
    code, output = invoke()
    assert code == 1 and "stripe-live-key" in output


def test_detect_secrets_baseline_is_read_as_is(git_repo: Path) -> None:
    """A baseline written by detect-secrets itself suppresses the same secret."""
    from detect_secrets.core import baseline
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    commit(git_repo, {"app.py": f"api_key = '{GITHUB_CLASSIC}'\n", "other.py": f"key = '{STRIPE_LIVE}'\n"})
    with default_settings():
        secrets = SecretsCollection()
        secrets.scan_file("app.py")
        document = baseline.format_for_output(secrets)
    (git_repo / ".secrets.baseline").write_text(json.dumps(document))
    code, output = invoke("--json", "out.json")
    assert code == 1
    rules = {f["rule"] for gate in json.loads(Path("out.json").read_text())["gates"] for c in gate["checks"]
             for f in c["findings"]}
    assert rules == {"stripe-live-key"}


def test_allow_entries_need_a_reason_and_suppress(git_repo: Path) -> None:
    commit(git_repo, {"tests/fixtures/key.py": f"token = {GITHUB_CLASSIC}\n"})
    (git_repo / "gates.toml").write_text('[secrets]\n[[secrets.allow]]\npath = "tests/fixtures/**"\n'
                                         'reason = "throwaway token for the tests"\n')
    assert invoke()[0] == 0
    (git_repo / "gates.toml").write_text('[secrets]\n[[secrets.allow]]\npath = "tests/**"\n')
    code, output = invoke()
    assert code == 2 and "reason" in output and "Traceback" not in output


def test_allow_by_fingerprint(git_repo: Path) -> None:
    commit(git_repo, {"a.py": f"token = {GITHUB_CLASSIC}\n"})
    code, output = invoke("--json", "out.json")
    assert code == 1
    message = json.loads(Path("out.json").read_text())["gates"][0]["checks"][0]["findings"][0]["message"]
    fingerprint = message.split("[fingerprint ")[1].rstrip("]")
    (git_repo / "gates.toml").write_text(f'[[secrets.allow]]\nfingerprint = "{fingerprint}"\nreason = "revoked"\n')
    assert invoke()[0] == 0


def test_paths_and_logs_on_disk(git_repo: Path) -> None:
    commit(git_repo, {"app.py": "x = 1\n"})
    (git_repo / "dist").mkdir()
    (git_repo / "dist" / "main.js").write_text(f'const k="{STRIPE_LIVE}";\n')
    (git_repo / "ci.log").write_text(f"step 3: using token {GITHUB_CLASSIC}\n")
    code, output = invoke("--paths", "dist", "--logs", "ci.log", "--json", "out.json")
    assert code == 1, output
    checks = json.loads(Path("out.json").read_text())["gates"][0]["checks"]
    assert [c["name"] for c in checks] == ["paths: dist", "logs: ci.log"]
    assert STRIPE_LIVE not in output and GITHUB_CLASSIC not in output


def test_paths_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "a.js").write_text("ok\n")
    assert invoke("--paths", "build")[0] == 0


def test_outside_a_repository_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("--history")
    assert code == 2 and "not inside a git repository" in output and "Traceback" not in output


@pytest.mark.parametrize(("args", "expected"), [
    (("--paths", "nope"), "nope: no such file"),
    (("--range", "..HEAD"), "expected BASE..HEAD"),
])
def test_bad_input_is_exit_2(git_repo: Path, args: tuple[str, ...], expected: str) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    code, output = invoke(*args)
    assert code == 2 and expected in output and "Traceback" not in output


def test_bad_config_is_exit_2(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text('[secrets]\nmode = "everything"\n')
    code, output = invoke()
    assert code == 2 and "mode" in output and "Traceback" not in output


def test_range_with_unknown_base_is_exit_3(git_repo: Path) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    code, output = invoke("--range", "origin/main..HEAD")
    assert code == 3 and "fetch-depth: 0" in output


def test_under_gates_run_pre_commit_scans_the_index(git_repo: Path) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    (git_repo / "b.py").write_text(f"key = '{STRIPE_LIVE}'\n")
    git(git_repo, "add", "b.py")
    result = CliRunner().invoke(cli, ["run", "--stage", "pre-commit", "--gates", "secrets"])
    assert result.exit_code == 1, result.output
    assert "staged changes" in result.output and STRIPE_LIVE not in result.output


def test_pr_stage_reads_github_base_ref(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(git_repo, {"old.py": f"token = {GITHUB_CLASSIC}\n"})
    commit(git_repo, {"old.py": None})
    git(git_repo, "branch", "base")
    git(git_repo, "checkout", "-q", "-b", "feature")
    commit(git_repo, {"new.py": "x = 1\n"})
    monkeypatch.setenv("GITHUB_BASE_REF", "base")
    result = CliRunner().invoke(cli, ["run", "--stage", "pr", "--gates", "secrets"])
    assert result.exit_code == 0, result.output
    assert "range base..HEAD" in result.output


def test_docs_name_only_real_flags() -> None:
    import re

    docs = (Path(__file__).resolve().parents[2] / "docs" / "secrets.md").read_text()
    help_text = CliRunner().invoke(cli, ["secrets", "--help"]).output
    for flag in set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", docs)):
        if flag in ("--cached", "--unshallow", "--base-ref", "--stage"):
            continue  # git's and `gates run`'s flags
        assert flag in help_text, flag
