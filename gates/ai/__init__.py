"""`gates ai`: attack the app's own chat endpoint with prompt injections and block the release when an
answer leaks what it must not (canaries, the system prompt, credentials, data through links and images)
or does what it must not (forbidden tool calls, following injected instructions).

Answers are judged by deterministic rules (gates.ai.judges), never by another model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `gates ai --help` imports this package: nothing is imported here at run time
    from gates.ai.options import Options
    from gates.context import GateContext
    from gates.progress import Progress
    from gates.report import Report

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.ai.options import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.ai.gate import run as run_attacks

    return run_attacks(options, progress)


def __getattr__(name: str) -> Any:
    if name == "Options":
        from gates.ai.options import Options

        return Options
    raise AttributeError(f"module 'gates.ai' has no attribute {name!r}")
