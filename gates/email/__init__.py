"""`gates email`: check a sending domain's DNS the way strict validators and big mailbox providers
do (SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT) and say which record to fix and how.

Each domain gets one Check per record family. A DNS failure (SERVFAIL, timeout) makes that check
"could not check" (exit 3), never "missing".
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `gates email --help` imports this package: it imports nothing else at run time
    from gates.context import GateContext
    from gates.email.gate import Options
    from gates.progress import Progress
    from gates.report import Report

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.email.gate import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.email.gate import run as run_gate

    return run_gate(options, progress)


def __getattr__(name: str) -> Any:
    """The rest of the gate's API (Options, helpers) loads with the gate module on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(importlib.import_module("gates.email.gate"), name)
    except AttributeError:
        raise AttributeError(f"module 'gates.email' has no attribute {name!r}") from None
