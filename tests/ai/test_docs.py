"""docs/ai.md names only flags and rules that exist."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from gates.ai.verdict import FIXES
from gates.cli import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "ai.md"


def test_every_flag_in_the_docs_exists() -> None:
    helped = CliRunner().invoke(cli, ["ai", "--help"], terminal_width=200).output
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", DOC.read_text(encoding="utf-8")))
    missing = sorted(flag for flag in flags if flag not in helped)
    assert not missing, f"docs/ai.md names flags `gates ai --help` lacks: {missing}"


def test_every_rule_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in (*FIXES, "p95-over-budget"):
        assert f"`{rule}`" in text, rule
