"""History, ranges, shallow clones, renames, merges, binaries and big blobs — on real repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from gates.config import Config
from gates.context import GateContext
from gates.report import Report, Severity, Status
from gates.secrets import options_from_config, run
from tests.secrets.fakes import AWS_KEY, GITHUB_CLASSIC, OPENAI, STRIPE_LIVE, commit, git


def scan(repo: Path, stage: str | None = None, base_ref: str | None = None, **section: Any) -> Report:
    ctx = GateContext(root=repo, config=Config(None, repo), stage=stage, base_ref=base_ref)
    return run(options_from_config(section, ctx))


def rules(report: Report) -> list[str]:
    return sorted(f.rule for f in report.findings if f.severity is Severity.ERROR)


def test_clean_history_passes_and_says_what_it_read(git_repo: Path) -> None:
    commit(git_repo, {"app.py": "print('hello')\n"})
    commit(git_repo, {"app.py": "print('hello, world')\n", "README.md": "# demo\n"})
    report = scan(git_repo)
    assert report.exit_code == 0
    check = report.checks[0]
    assert check.properties["commits_scanned"] == 2 and check.properties["blobs_scanned"] == 3
    assert "scanned 2 commits, 3 blobs" in check.message
    assert report.metrics["commits_scanned"] == 2


def test_secret_added_then_deleted_still_blocks(git_repo: Path) -> None:
    added = commit(git_repo, {"config.py": f'KEY = "{OPENAI}"\n', "app.py": "x = 1\n"})
    commit(git_repo, {"config.py": None})
    report = scan(git_repo)
    assert report.exit_code == 1
    [finding] = report.findings
    assert finding.rule == "openai-key"
    assert finding.location is not None and finding.location.commit == added
    assert finding.location.path == "config.py" and finding.location.line == 1
    assert "deleting the file does not remove it from history" in (finding.fix or "")
    assert "platform.openai.com" in (finding.fix or "")
    assert OPENAI not in finding.message and OPENAI not in (finding.evidence or "")
    assert OPENAI in report.secrets


def test_secret_still_in_head_is_not_called_deleted(git_repo: Path) -> None:
    commit(git_repo, {"config.py": f'KEY = "{OPENAI}"\n'})
    [finding] = scan(git_repo).findings
    assert "history" not in (finding.fix or "")


def test_first_commit_that_added_it_gets_the_blame(git_repo: Path) -> None:
    first = commit(git_repo, {"a.py": f"token = {GITHUB_CLASSIC}\n"})
    commit(git_repo, {"b.py": f"token = {GITHUB_CLASSIC}\n"})
    [finding] = scan(git_repo).findings
    assert finding.location is not None and finding.location.commit == first


def test_side_branch_only(git_repo: Path) -> None:
    commit(git_repo, {"app.py": "x = 1\n"})
    git(git_repo, "checkout", "-q", "-b", "experiment")
    commit(git_repo, {"exp.py": f"stripe_key = '{STRIPE_LIVE}'\n"})
    git(git_repo, "checkout", "-q", "main")
    assert rules(scan(git_repo)) == ["stripe-live-key"]


def test_merge_and_rename(git_repo: Path) -> None:
    commit(git_repo, {"app.py": "x = 1\n"})
    git(git_repo, "checkout", "-q", "-b", "feature")
    commit(git_repo, {"settings.py": f"AWS = '{AWS_KEY}'\nDEBUG = True\n"})
    git(git_repo, "checkout", "-q", "main")
    commit(git_repo, {"other.py": "y = 2\n"})
    git(git_repo, "merge", "-q", "--no-edit", "feature")
    (git_repo / "conf").mkdir()
    git(git_repo, "mv", "settings.py", "conf/settings.py")
    git(git_repo, "commit", "-qm", "move")
    report = scan(git_repo)
    assert rules(report) == ["aws-access-key"]
    [finding] = report.findings
    assert finding.location is not None and finding.location.path == "settings.py"
    assert "history" not in (finding.fix or "")  # the value is still in HEAD, under its new name


def test_binary_and_non_utf8_files(git_repo: Path) -> None:
    commit(git_repo, {
        "logo.png": b"\x89PNG\r\n\x1a\n\0\0" + OPENAI.encode() + b"\0" * 20,
        "latin1.txt": f"caf\xe9 token = {GITHUB_CLASSIC}\n".encode("latin-1"),
    })
    report = scan(git_repo)
    assert rules(report) == ["github-token"]  # the binary blob is skipped, the latin-1 text is read


def test_big_single_line_blob_is_bounded(git_repo: Path) -> None:
    # A minified bundle: one ~4 MB line (the 50 MB case, scaled down to keep the suite fast).
    filler = "var a=function(b){return b+1};" * 70_000
    bundle = filler[: len(filler) // 2] + f'var k="{STRIPE_LIVE}";' + filler[len(filler) // 2:]
    commit(git_repo, {"static/app.min.js": bundle})
    report = scan(git_repo)
    assert rules(report) == ["stripe-live-key"]
    assert report.checks[0].properties["lines_candidates"] < 50


def test_notebook_line_of_spaces(git_repo: Path) -> None:
    commit(git_repo, {"nb.ipynb": " " * 3_000_000 + "\n"})
    assert scan(git_repo).exit_code == 0


def test_range_excludes_an_old_leak(git_repo: Path) -> None:
    commit(git_repo, {"old.py": f"token = {GITHUB_CLASSIC}\n"})
    base = commit(git_repo, {"old.py": None})
    commit(git_repo, {"new.py": "x = 1\n"})
    report = scan(git_repo, range=f"{base}..HEAD")
    assert report.exit_code == 0 and report.checks[0].name == f"range {base}..HEAD"
    assert report.checks[0].properties["commits_scanned"] == 1
    commit(git_repo, {"new.py": f"key = '{STRIPE_LIVE}'\n"})
    assert rules(scan(git_repo, range=f"{base}..HEAD")) == ["stripe-live-key"]


def test_pr_stage_uses_the_base_ref_and_no_config_scans_history(git_repo: Path) -> None:
    commit(git_repo, {"old.py": f"token = {GITHUB_CLASSIC}\n"})
    base = commit(git_repo, {"old.py": None})
    commit(git_repo, {"new.py": "x = 1\n"})
    assert scan(git_repo, stage="pr", base_ref=base).exit_code == 0
    assert scan(git_repo, stage="pr").exit_code == 1  # no base known: the whole history


def _shallow_clone(source: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(target)], check=True)
    return target


def test_shallow_clone_cannot_pass(git_repo: Path, tmp_path: Path) -> None:
    commit(git_repo, {"old.py": f"token = {GITHUB_CLASSIC}\n"})
    commit(git_repo, {"old.py": None})
    commit(git_repo, {"app.py": "x = 1\n"})
    clone = _shallow_clone(git_repo, tmp_path / "shallow")
    report = scan(clone)
    assert report.exit_code == 3
    assert report.checks[0].status is Status.ERROR and "fetch-depth: 0" in report.checks[0].message
    allowed = scan(clone, allow_shallow=True)
    assert allowed.exit_code == 0
    assert "shallow clone" in allowed.checks[0].message and allowed.checks[0].properties["shallow"] is True
    assert scan(clone, range="HEAD~1..HEAD").exit_code == 3  # the base is not in the clone


def test_staged_changes_only(git_repo: Path) -> None:
    commit(git_repo, {"old.py": f"token = {GITHUB_CLASSIC}\n"})
    (git_repo / "new.py").write_text(f"key = '{STRIPE_LIVE}'\n")
    git(git_repo, "add", "new.py")
    report = scan(git_repo, stage="pre-commit")
    assert report.checks[0].name == "staged changes"
    assert rules(report) == ["stripe-live-key"]
    [finding] = report.findings
    assert finding.location is not None and finding.location.commit is None and finding.location.line == 1


def test_staged_env_file_is_a_finding(git_repo: Path) -> None:
    commit(git_repo, {"app.py": "x = 1\n"})
    (git_repo / ".env").write_text("DEBUG=1\n")
    git(git_repo, "add", ".env")
    assert rules(scan(git_repo, mode="staged")) == ["env-file"]


def test_cache_reads_only_what_is_new(git_repo: Path) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    leak = commit(git_repo, {"b.py": f"token = {GITHUB_CLASSIC}\n"})
    first = scan(git_repo)
    assert first.checks[0].properties["commits_cached"] == 0
    again = scan(git_repo)
    assert again.checks[0].properties["commits_cached"] == 2
    assert again.checks[0].properties["commits_read"] == 0  # nothing new: nothing read
    # ...but the report still says what its verdict covers, not "0 commits scanned"
    assert again.checks[0].properties["commits_scanned"] == 2 and again.metrics["commits_scanned"] == 2
    assert "scanned 2 commits (2 from the cache, 0 read now)" in again.checks[0].message
    assert [f.message for f in again.findings] == [f.message for f in first.findings]
    [finding] = again.findings
    assert finding.location is not None and finding.location.commit == leak
    [cache_file] = (git_repo / ".git" / "gates-cache").glob("secrets-*.json")
    assert GITHUB_CLASSIC not in cache_file.read_text() and GITHUB_CLASSIC[4:20] not in cache_file.read_text()
    assert scan(git_repo, cache="off").checks[0].properties["commits_cached"] == 0
    newer = commit(git_repo, {"c.py": f"key = '{STRIPE_LIVE}'\n", "d.py": f"again = {GITHUB_CLASSIC}\n"})
    third = scan(git_repo)
    assert third.checks[0].properties["commits_read"] == 1 and third.checks[0].properties["commits_scanned"] == 3
    assert {f.rule: f.location.commit for f in third.findings if f.location} == {
        "github-token": leak, "stripe-live-key": newer}


def test_pragma_allowlist_and_nextline(git_repo: Path) -> None:
    commit(git_repo, {"a.py": f"token = {GITHUB_CLASSIC}  # pragma: allowlist secret\n"
                              f"# pragma: allowlist nextline secret\nkey = '{STRIPE_LIVE}'\n"})
    assert scan(git_repo).exit_code == 0


def test_empty_repository(git_repo: Path) -> None:
    report = scan(git_repo)
    assert report.exit_code == 0 and "no commits yet" in report.checks[0].message
