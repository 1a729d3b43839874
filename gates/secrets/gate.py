"""The secrets gate's options_from_config() and run(); `gates.secrets` loads this module on first use."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from gates.context import GateContext
from gates.progress import Progress
from gates.report import Report
from gates.secrets.options import Options

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.secrets.options import options_from_config as build

    return build(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.progress import NullProgress
    from gates.report import Check, Figure
    from gates.secrets.checks import scan_scopes, to_check
    from gates.secrets.suppress import read_baseline

    started = time.perf_counter()
    progress = progress or NullProgress()
    baseline, _ = read_baseline(options.baseline) if options.use_baseline else (frozenset(), {})
    checks: list[Check] = []
    secrets: set[str] = set()
    metrics: dict[str, Figure] = {"commits_scanned": 0, "blobs_scanned": 0, "lines_scanned": 0}
    for scope, scanner, elapsed in scan_scopes(options, progress):
        check, found = to_check(scope, scanner, elapsed, options, baseline)
        checks.append(check)
        secrets |= found
        metrics["commits_scanned"] = int(metrics["commits_scanned"]) + int(check.properties.get("commits_scanned", 0))
        metrics["blobs_scanned"] = int(metrics["blobs_scanned"]) + scanner.counts.blobs
        metrics["lines_scanned"] = int(metrics["lines_scanned"]) + scanner.counts.lines
    metrics["findings"] = sum(len(check.findings) for check in checks)
    return Report("secrets", tuple(checks), time.perf_counter() - started, metrics, frozenset(secrets))
