"""Every flag docs/smoke.md mentions for `gates smoke` exists in its --help."""

from __future__ import annotations

import re
from pathlib import Path

from tests.smoke.helpers import cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "smoke.md"
NOT_SMOKE_FLAGS = {"--stage", "--timeout", "--token", "--app", "--image", "--strategy", "--no-edit"}


def test_documented_flags_exist() -> None:
    help_text = cli(["smoke", "--help"]).output
    documented = set(re.findall(r"`(--[a-z-]+)", DOCS.read_text(encoding="utf-8")))
    assert documented, "no flags found in docs/smoke.md"
    for flag in sorted(documented - NOT_SMOKE_FLAGS):
        assert flag in help_text, flag
    assert "--timeout" in help_text
