"""The deps gate's options_from_config() and run(); `gates.deps` loads this module on first use."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from gates.context import GateContext
from gates.deps.options import Options
from gates.progress import Progress
from gates.report import Report

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.deps.options import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.deps import flow

    started = time.monotonic()
    inputs = flow.read_inputs(options)
    groups = flow.group(inputs.manifests, options.no_dev)
    audit_started = time.monotonic()
    audit, metrics = flow.audit(groups, options, progress)
    checks = inputs.error_checks + flow.checks(groups, audit, options, time.monotonic() - audit_started)
    metrics = {**metrics, "files": len(inputs.manifests), "packages": sum(len(g.dependencies) for g in groups)}
    return Report("deps", tuple(checks), time.monotonic() - started, metrics, frozenset(inputs.secrets))
