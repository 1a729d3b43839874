"""Gate `migrations`: dry-run every migration on a throwaway PostgreSQL, prove rollback, flag what hurts.

run() reads like the steps a person takes: say what migrations were found; start (or borrow) a
throwaway PostgreSQL; for each migration set, in a scratch database of its own, apply every
migration in order while linting its statements with PostgreSQL's parser; prove the down path
where the framework has one; stop the server.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `gates migrations --help` imports this package: it imports nothing else at run time
    from gates.context import GateContext
    from gates.migrations.options import Options
    from gates.progress import Progress
    from gates.report import Report

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.migrations.options import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.migrations.gate import run as run_gate

    return run_gate(options, progress)


def __getattr__(name: str) -> Any:
    """The rest of the gate's API (Options, helpers) loads with the gate module on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(importlib.import_module("gates.migrations.gate"), name)
    except AttributeError:
        raise AttributeError(f"module 'gates.migrations' has no attribute {name!r}") from None
