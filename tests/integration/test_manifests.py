"""The hooks manifest, the action and the example workflows, checked by their real clients."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return which


def test_hooks_manifest_is_valid() -> None:
    done = subprocess.run([tool("pre-commit"), "validate-manifest", str(PROJECT / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing() -> None:
    files = [PROJECT / "action.yml", *sorted((PROJECT / "examples" / "workflows").glob("*.yml"))]
    done = subprocess.run([tool("zizmor"), "--offline", "--no-progress", *map(str, files)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_actionlint_on_example_workflows() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed: its PyPI wrapper downloads a binary at build time, which an"
                    " offline machine cannot do; install it from your OS packages to run this check")
    done = subprocess.run([actionlint, *map(str, sorted((PROJECT / "examples" / "workflows").glob("*.yml")))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
