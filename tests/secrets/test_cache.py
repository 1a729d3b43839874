"""A re-scan served from the clean-commit cache reports exactly what a fresh scan reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.config import Config
from gates.context import GateContext
from gates.report import Report
from gates.secrets import options_from_config, run
from tests.secrets.fakes import AWS_KEY, DB_URL, GITHUB_CLASSIC, OPENAI, STRIPE_LIVE, commit, git


def scan(repo: Path, **section: Any) -> Report:
    ctx = GateContext(root=repo, config=Config(None, repo))
    return run(options_from_config(section, ctx))


def findings(report: Report) -> list[tuple[Any, ...]]:
    return sorted((f.rule, f.message, f.severity, str(f.location), f.evidence, f.fix) for f in report.findings)


def assert_same(fresh: Report, other: Report) -> None:
    assert findings(other) == findings(fresh)
    assert other.secrets == fresh.secrets
    assert other.exit_code == fresh.exit_code


def build_history(repo: Path) -> None:
    # gone with its file; gone from a file HEAD still has; still in HEAD; a short keyword value;
    # a .env file; a URL password; one on a side branch only
    commit(repo, {"settings.py": f'OPENAI = "{OPENAI}"\n', "app.py": f"token = {GITHUB_CLASSIC}\n"})
    commit(repo, {"config.py": f"STRIPE = '{STRIPE_LIVE}'\npassword = 'hunter2'\n", ".env": f"AWS={AWS_KEY}\n"})
    commit(repo, {"settings.py": None, "app.py": "token = None\n", "db.py": f'URL = "{DB_URL}"\n'})
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, {"side.py": f"aws_key = '{AWS_KEY}'\n"})
    git(repo, "checkout", "-q", "main")


def test_cached_rescan_reports_what_a_fresh_scan_reports(git_repo: Path) -> None:
    build_history(git_repo)
    fresh = scan(git_repo, cache="off")
    assert fresh.exit_code == 1 and len(fresh.findings) >= 5
    assert any("no longer in HEAD" in f.message for f in fresh.findings)  # judged by value, not by file
    first = scan(git_repo)  # fills the cache
    warm = scan(git_repo)  # reads nothing
    assert warm.checks[0].properties["commits_read"] == 0
    assert_same(fresh, first)
    assert_same(fresh, warm)


def test_partly_cached_rescan_reports_what_a_fresh_scan_reports(git_repo: Path) -> None:
    build_history(git_repo)
    scan(git_repo)
    # a new commit re-adds an old secret, removes one still in HEAD and adds a new one
    commit(git_repo, {"again.py": f"token = {GITHUB_CLASSIC}\n", "config.py": "password = 'hunter2'\n",
                      "new.py": f'k = "{OPENAI[:-4]}zzzz"\n'})
    partial = scan(git_repo)
    assert partial.checks[0].properties["commits_read"] == 1
    assert_same(scan(git_repo, cache="off"), partial)
    assert_same(scan(git_repo, cache="off"), scan(git_repo))


def test_warm_rescan_writes_no_cache_file(git_repo: Path) -> None:
    build_history(git_repo)
    scan(git_repo)
    [cache_file] = (git_repo / ".git" / "gates-cache").glob("secrets-*.json")
    written = cache_file.stat().st_mtime_ns
    cache_file.touch()
    touched = cache_file.stat().st_mtime_ns
    scan(git_repo)
    assert cache_file.stat().st_mtime_ns == touched
    assert written <= touched


def test_cached_rescan_of_long_lines_and_crlf_files(git_repo: Path) -> None:
    bundle = "var a=" + "x" * 5000 + f';var k="{STRIPE_LIVE}";' + "y" * 5000 + "\n"  # scanned in windows
    commit(git_repo, {"dist/app.js": bundle, "win.py": f"token = {GITHUB_CLASSIC}\r\nx = 1\r\n"})
    commit(git_repo, {"dist/app.js": "var a=1\n"})
    fresh = scan(git_repo, cache="off")
    assert sorted(f.rule for f in fresh.findings) == ["github-token", "stripe-live-key"]
    scan(git_repo)
    assert_same(fresh, scan(git_repo))
