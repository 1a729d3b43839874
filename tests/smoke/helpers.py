"""Helpers shared by the smoke tests: run the gate directly or through the CLI, config files, markers."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from gates.config import Config
from gates.context import GateContext
from gates.report import Report

_keys = itertools.count()


def key() -> str:
    """A fresh counter key for the flaky routes (the session-wide app keeps counts per key)."""
    return f"k{os.getpid()}-{next(_keys)}"


def run_gate(section: Mapping[str, Any], root: Path, stage: str | None = None,
             raw: Mapping[str, Any] | None = None) -> Report:
    """Run the gate on an already interpolated section; `raw` is the table as written (with ${VARS})."""
    from gates.smoke import options_from_config, run

    config = Config(None, root, {"smoke": dict(raw if raw is not None else section)})
    ctx = GateContext(root=root, config=config, stage=stage)
    return run(options_from_config(section, ctx))


def cli(args: list[str], env: Mapping[str, str] | None = None) -> Result:
    from gates.cli import cli as gates_cli

    return CliRunner().invoke(gates_cli, args, env=dict(env or {}), catch_exceptions=False)


def write_config(root: Path, text: str) -> Path:
    path = root / "gates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rollback_cmd(script: Path, marker: Path) -> str:
    return f"{sys.executable} {script} {marker}"


def marker_lines(marker: Path) -> list[str]:
    return marker.read_text(encoding="utf-8").splitlines() if marker.exists() else []
