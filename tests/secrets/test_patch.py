"""The bulk patch reader: line numbers and commits across 1 MB blocks, long lines cut in pieces, odd paths."""

from __future__ import annotations

from pathlib import Path

from gates.config import Config
from gates.context import GateContext
from gates.report import Report
from gates.secrets import options_from_config, run
from tests.secrets.fakes import ALNUM, GITHUB_CLASSIC, STRIPE_LIVE, commit, rand


def scan(repo: Path, **section: object) -> Report:
    ctx = GateContext(root=repo, config=Config(None, repo))
    return run(options_from_config({"cache": "off", **section}, ctx))


def test_line_numbers_and_commits_across_blocks(git_repo: Path) -> None:
    lines = [f"value_{i} = {i * 7}" for i in range(60_000)]  # ~1.1 MB: several blocks
    commit(git_repo, {"big.py": "\n".join(lines) + "\n"})
    lines[45_000] = f"token = {GITHUB_CLASSIC}"
    lines[59_990] = f"key = '{STRIPE_LIVE}'"
    second = commit(git_repo, {"big.py": "\n".join(lines) + "\n", "small.py": "x = 1\n"})
    report = scan(git_repo)
    found = {f.rule: f.location for f in report.findings}
    assert found["github-token"] is not None and found["github-token"].line == 45_001
    assert found["github-token"].commit == second
    assert found["stripe-live-key"] is not None and found["stripe-live-key"].line == 59_991
    assert report.checks[0].properties["lines_scanned"] == 60_000 + 3


def test_keys_on_a_long_line_across_piece_boundaries(git_repo: Path) -> None:
    mb = 1024 * 1024
    keys = ["sk_" + "live_" + rand(24, ALNUM, seed=100 + i) for i in range(24)]
    filler = "x" * (mb - 400)
    body = filler + "".join(f";k{i}='{key}'" + "y" * 5 for i, key in enumerate(keys)) + "z" * (mb + 300)
    commit(git_repo, {"before.txt": "a\n", "bundle.js": "first line\n" + body + "\nlast = 1\n" +
                      f"token = {GITHUB_CLASSIC}\n"})
    report = scan(git_repo)
    stripe = [f for f in report.findings if f.rule == "stripe-live-key"]
    assert len(stripe) == len(keys)  # one finding per distinct key, none lost at a piece boundary
    assert set(keys) <= report.secrets
    [github] = [f for f in report.findings if f.rule == "github-token"]
    assert github.location is not None and github.location.line == 4
    assert all(f.location is not None and f.location.line == 2 for f in report.findings if f.rule == "stripe-live-key")


def test_paths_with_spaces_and_unicode(git_repo: Path) -> None:
    commit(git_repo, {"dir with space/ключ.py": f"token = {GITHUB_CLASSIC}\n"})
    [finding] = scan(git_repo).findings
    assert finding.location is not None and finding.location.path == "dir with space/ключ.py"


def test_files_on_disk_over_a_block_and_the_size_cap(git_repo: Path) -> None:
    commit(git_repo, {"a.py": "x = 1\n"})
    dist = git_repo / "dist"
    dist.mkdir()
    lines = [f"var v{i} = {i};" for i in range(80_000)]
    lines[70_000] = f"var key = '{STRIPE_LIVE}';"
    (dist / "app.js").write_text("\n".join(lines) + "\n")
    report = scan(git_repo, mode="paths", paths=["dist"])
    [finding] = report.findings
    assert finding.location is not None and finding.location.line == 70_001 and finding.location.commit is None
    capped = scan(git_repo, mode="paths", paths=["dist"], max_file_mb=0.5)
    assert capped.findings == () or not capped.findings
    assert capped.checks[0].properties["files_truncated"] == 1 and "size cap" in capped.checks[0].message


def test_many_candidates_use_the_worker_and_keep_order(git_repo: Path) -> None:
    ids = [f"secret_{i} = load_secret({i})" for i in range(1500)]  # candidates (a keyword), never findings
    first = commit(git_repo, {"ids.py": "\n".join(ids) + f"\ntoken = {GITHUB_CLASSIC}\n"})
    commit(git_repo, {"again.py": f"token = {GITHUB_CLASSIC}\n"})
    report = scan(git_repo)
    assert report.checks[0].properties["lines_candidates"] >= 1500
    [finding] = report.findings
    assert finding.location is not None and finding.location.commit == first and finding.location.line == 1501


def test_line_numbers_inside_one_hunk_spanning_blocks(git_repo: Path) -> None:
    keys = {n: "sk_" + "live_" + rand(24, ALNUM, seed=200 + n % 97) + str(n) for n in (10, 20_000, 20_001, 59_000)}
    lines = [f"value_{i} = {i * 7}" for i in range(60_000)]
    for number, key in keys.items():
        lines[number - 1] = f"key_{number} = '{key}'"
    commit(git_repo, {"new.py": "\n".join(lines) + "\n"})  # one new file: one hunk over several blocks
    (git_repo / "dist").mkdir()
    (git_repo / "dist" / "same.py").write_text("\n".join(lines) + "\n")
    for section in ({}, {"mode": "paths", "paths": ["dist"]}):
        found = {f.location.line for f in scan(git_repo, **section).findings if f.location}
        assert found == set(keys), section
