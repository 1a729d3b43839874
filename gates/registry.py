"""Which gates exist, and how to load one without importing the others.

A gate is a plain module (`gates.<name>`) that satisfies `Gate`: `options_from_config` turns its
config table (already merged with CLI flags) into its Options, raising `NotConfigured` when there
is nothing to check here; `run` does the checking.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from gates.context import GateContext
from gates.progress import Progress
from gates.report import Report
from gates.schemas import GATE_NAMES

DESCRIPTIONS: dict[str, str] = {
    "secrets": "Secrets in git history, PR ranges, staged changes, build output and logs.",
    "deps": "Known-vulnerable dependencies (pip-audit online, OSV database offline).",
    "migrations": "Dry-run migrations on a throwaway PostgreSQL; flag data loss and long locks.",
    "timing": "Route-timing budgets under realistic load (Locust), with baselines.",
    "smoke": "Post-deploy smoke checks with wait-for-ready, watch window and rollback.",
    "edge": "DNS map, redirects, TLS, HSTS, caching, cookies and mixed content.",
    "email": "SPF, DKIM, DMARC, MX, MTA-STS and TLS-RPT for sending domains.",
    "ai": "Prompt-injection and data-exfiltration checks for the app's AI endpoints.",
}


class Gate(Protocol):
    def options_from_config(self, section: Mapping[str, Any], ctx: GateContext) -> Any: ...

    def run(self, options: Any, progress: Progress | None = None) -> Report: ...


GateLoader = Callable[[str], "Gate | None"]


def is_available(name: str) -> bool:
    return name in GATE_NAMES and importlib.util.find_spec(f"gates.{name}") is not None


def load_gate(name: str) -> Gate | None:
    """The gate module, or None when this version does not have it yet."""
    if not is_available(name):
        return None
    module: Gate = importlib.import_module(f"gates.{name}")
    return module
