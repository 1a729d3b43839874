"""`gates smoke`: post-deploy smoke checks with wait-for-ready, a watch window and a rollback trigger.

The steps a person takes after a deploy: wait until the new release answers, log in as the test user, load
the pages that matter (all at once), make one write and clean it up, keep watching for a while, and put the
last release back, once, if the answer is no. httpx and the heavy modules are imported only when it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `gates smoke --help` imports this package: it imports nothing else at run time
    from gates.context import GateContext
    from gates.progress import Progress
    from gates.report import Report
    from gates.smoke.options import Options

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.smoke.gate import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.smoke.gate import run as run_gate

    return run_gate(options, progress)


def __getattr__(name: str) -> Any:
    """The rest of the gate's API (Options, helpers) loads with the gate module on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(importlib.import_module("gates.smoke.gate"), name)
    except AttributeError:
        raise AttributeError(f"module 'gates.smoke' has no attribute {name!r}") from None
