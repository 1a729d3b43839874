"""The edge gate: check a declared domain map end to end before (or right after) a launch.

    DNS        every host resolves; dangling CNAMEs; CAA
    redirects  http -> https same host first, then -> the canonical host in one hop; loops; legacy paths
    TLS        chain, name, days to expiry, TLS 1.0/1.1 refused
    headers    HSTS, security headers
    cache      public paths cacheable, private paths never publicly cached, no cookies on cacheable answers
    cookies    Secure, HttpOnly, SameSite, Domain scope across the declared hosts
    content    http:// resources in HTTPS pages

The heavy imports (dnspython, httpcore, cryptography) live in the modules `run` pulls in.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `gates edge --help` imports this package: it imports nothing else at run time
    from gates.context import GateContext
    from gates.edge.gate import Options
    from gates.progress import Progress
    from gates.report import Report

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.edge.gate import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.edge.gate import run as run_gate

    return run_gate(options, progress)


def __getattr__(name: str) -> Any:
    """The rest of the gate's API (Options, helpers) loads with the gate module on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(importlib.import_module("gates.edge.gate"), name)
    except AttributeError:
        raise AttributeError(f"module 'gates.edge' has no attribute {name!r}") from None
