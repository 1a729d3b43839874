"""The timing gate's options_from_config() and run(); `gates.timing` loads this module on first use."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from gates.context import GateContext
from gates.progress import Progress
from gates.report import Report
from gates.timing.options import Options

__all__ = ["options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.timing.options import from_config

    return from_config(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.timing import baseline, capacity
    from gates.timing.engine import run_load
    from gates.timing.lifecycle import interrupted_on_sigterm, running_app
    from gates.timing.options import secret_values
    from gates.timing.verdict import all_figures, route_checks

    started = time.monotonic()
    steps: list[capacity.Step] = []
    # Read first: a corrupt or foreign baseline stops the gate before a whole load run, not after it.
    runs = baseline.load(options.baseline) if options.baseline else []
    with interrupted_on_sigterm(), running_app(options):
        for users in options.ramp or (options.users,):
            result = run_load(options, users, progress)
            steps.append((result, route_checks(options, result)))
            if capacity.broke(steps[-1][1]):
                break
    result, checks = capacity.chosen(steps)
    fingerprint = baseline.fingerprint(options, result.users, result.locust_version)
    like = baseline.like_runs(runs, fingerprint, options.baseline_runs)
    updated = False
    if options.ramp:
        checks = (*checks, capacity.capacity_check(options.ramp, steps))
    elif like:
        checks = route_checks(options, result, baseline.reference(like))
    if options.update_baseline and options.baseline and not options.ramp and not capacity.broke(checks):
        baseline.append(options.baseline, fingerprint, all_figures(options, result))
        updated = True
    if options.html:
        from gates.timing.chart import write_html

        write_html(options.html, options, result, checks, secret_values(options))
    metrics: dict[str, int | float | str | bool] = {
        "mode": options.mode, "users": result.users, "processes": options.processes,
        "duration_s": options.duration, "warmup_s": options.warmup, "locust_version": result.locust_version,
        "generator_cpu_warning": result.cpu_warning, "baseline_runs_compared": 0 if options.ramp else len(like),
        "baseline_updated": updated,
    }
    if options.arrival_rate:
        metrics["arrival_rate"] = options.arrival_rate
    return Report("timing", checks, time.monotonic() - started, metrics, secrets=secret_values(options))
