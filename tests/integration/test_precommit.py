"""The hooks as a user runs them: the real `pre-commit try-repo` against this repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gates.registry import is_available
from tests.conftest import git
from tests.integration.offline_pip import offline_install_env

PROJECT = Path(__file__).resolve().parents[2]
LIVE_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def try_repo(repo: Path, hook: str, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = offline_install_env()
    env["PRE_COMMIT_HOME"] = str(home)  # one hook environment for the module, built once
    pre_commit = str(Path(sys.executable).parent / "pre-commit")
    return subprocess.run([pre_commit, "try-repo", str(PROJECT), hook, *extra], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_secrets_hook_blocks_a_staged_secret_and_passes_without(git_repo: Path, hook_home: Path) -> None:
    if not is_available("secrets"):
        pytest.skip("the secrets gate is not in this version")
    (git_repo / "README.md").write_text("hello\n")
    git(git_repo, "add", "README.md")
    git(git_repo, "commit", "-qm", "init")

    (git_repo / "notes.txt").write_text("nothing to see\n")
    git(git_repo, "add", "notes.txt")
    clean = try_repo(git_repo, "gates-secrets", hook_home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    (git_repo / "settings.py").write_text(f'STRIPE_KEY = "{LIVE_KEY}"\n')
    git(git_repo, "add", "settings.py")
    dirty = try_repo(git_repo, "gates-secrets", hook_home)
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "Failed" in dirty.stdout
    assert "settings.py" in dirty.stdout
    assert LIVE_KEY not in dirty.stdout + dirty.stderr


@pytest.mark.slow
def test_run_hook_at_pre_push(git_repo: Path, hook_home: Path) -> None:
    (git_repo / "README.md").write_text("hello\n")
    git(git_repo, "add", "README.md")
    git(git_repo, "commit", "-qm", "init")
    (git_repo / "gates.toml").write_text('[stages]\npr = ["timing"]\n')
    done = try_repo(git_repo, "gates-run", hook_home, "--hook-stage", "pre-push", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gates run (pr stage)" in done.stdout and "Passed" in done.stdout
