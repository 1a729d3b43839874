"""Git edge cases on real repositories: submodules, odd file names, CRLF, first commit, detached HEAD,
ranges whose base is not an ancestor or not fetched, and pre-commit's pre-push refs."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.report import Severity, Status
from tests.secrets.fakes import GITHUB_CLASSIC, OPENAI, STRIPE_LIVE, commit, git
from tests.secrets.test_history import scan


def _key(seed: int) -> str:
    rng = random.Random(seed)
    return "gh" + "p_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))


def paths(report: object) -> dict[str, str]:
    return {f.location.path: f.rule for f in report.findings  # type: ignore[attr-defined]
            if f.location is not None and f.severity is Severity.ERROR}


def test_submodule_gitlink_and_odd_file_names_and_crlf(git_repo: Path, tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    commit(sub, {"x.txt": "x\n"})
    commit(git_repo, {"a.py": "x = 1\n"})
    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    git(git_repo, "commit", "-q", "-m", "submodule")
    odd = "we\nird näme.py"
    commit(git_repo, {odd: f"key = '{STRIPE_LIVE}'\r\n", "spaced name.env.py": f"token = {GITHUB_CLASSIC}\r\n"})
    report = scan(git_repo)
    assert report.exit_code == 1 and report.checks[0].status is Status.FAILED
    assert paths(report) == {odd: "stripe-live-key", "spaced name.env.py": "github-token"}
    found = {f.rule: f.location.line for f in report.findings if f.location}
    assert found == {"stripe-live-key": 1, "github-token": 1}
    assert not any("\r" in (f.evidence or "") for f in report.findings)


def test_staged_on_the_very_first_commit(git_repo: Path) -> None:
    (git_repo / "app.py").write_text(f"token = {GITHUB_CLASSIC}\n")
    git(git_repo, "add", "app.py")
    report = scan(git_repo, mode="staged")
    assert report.exit_code == 1 and paths(report) == {"app.py": "github-token"}


def test_detached_head_history_and_range(git_repo: Path) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    leak = commit(git_repo, {"b.py": f"token = {GITHUB_CLASSIC}\n"})
    commit(git_repo, {"c.py": "y = 2\n"})
    git(git_repo, "checkout", "-q", "--detach", "HEAD~1")
    assert scan(git_repo).exit_code == 1
    report = scan(git_repo, range="HEAD~1..HEAD")
    assert report.exit_code == 1 and report.findings[0].location is not None
    assert report.findings[0].location.commit == leak


def test_range_whose_base_is_not_an_ancestor(git_repo: Path) -> None:
    commit(git_repo, {"a.py": f"old = {GITHUB_CLASSIC}\n"})
    git(git_repo, "checkout", "-q", "-b", "other")
    commit(git_repo, {"other.py": "z = 1\n"})
    git(git_repo, "checkout", "-q", "main")
    commit(git_repo, {"new.py": f"key = '{OPENAI}'\n"})
    # other..main = what main has that `other` lacks: the new key, not the shared old one
    report = scan(git_repo, range="other..main")
    assert report.exit_code == 1 and paths(report) == {"new.py": "openai-key"}
    assert report.checks[0].properties["commits_scanned"] == 1


def test_github_base_ref_not_fetched_is_exit_3_never_a_pass(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    monkeypatch.setenv("GITHUB_BASE_REF", "release-9")
    result = CliRunner().invoke(cli, ["run", "--stage", "pr", "--gates", "secrets"])
    assert result.exit_code == 3, result.output
    assert "git fetch origin release-9" in " ".join(result.output.split())


def _pushed_repo(git_repo: Path) -> tuple[str, str, str]:
    """main: an old leak already on the remote, then two new commits (one with a new key)."""
    commit(git_repo, {"old.py": f"token = {GITHUB_CLASSIC}\n"})
    remote = commit(git_repo, {"a.py": "x = 1\n"})
    leak = commit(git_repo, {"new.py": f"key = '{STRIPE_LIVE}'\n"})
    local = commit(git_repo, {"b.py": "y = 2\n"})
    return remote, leak, local


def test_pre_push_scans_exactly_the_pushed_range(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote, leak, local = _pushed_repo(git_repo)
    (git_repo / "staged.py").write_text(f"key = '{OPENAI}'\n")  # staged, not pushed: not this hook's business
    git(git_repo, "add", "staged.py")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", remote)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", local)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    result = CliRunner().invoke(cli, ["run", "--gates", "secrets", "--stage", "pre-commit", "--json", "out.json"])
    assert result.exit_code == 1, result.output
    [check] = json.loads(Path("out.json").read_text())["gates"][0]["checks"]
    assert check["name"] == f"range {remote}..{local}"
    assert check["properties"]["commits_scanned"] == 2
    assert [(f["rule"], f["location"]["commit"]) for f in check["findings"]] == [("stripe-live-key", leak)]


def test_pre_push_of_a_new_branch_reads_history(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pushed_repo(git_repo)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")  # no FROM/TO: the whole branch is new to the remote
    result = CliRunner().invoke(cli, ["run", "--gates", "secrets", "--stage", "pre-commit"])
    assert result.exit_code == 1 and "history" in result.output


def test_pre_commit_without_push_refs_scans_the_index(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pushed_repo(git_repo)
    for name in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "PRE_COMMIT_REMOTE_NAME"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["run", "--gates", "secrets", "--stage", "pre-commit"])
    assert result.exit_code == 0 and "staged changes" in result.output
