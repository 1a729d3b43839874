"""Gate `timing`: route-timing budgets under a realistic load (Locust, in a child process).

Steps: start the app when `start` is set (or check the running one answers), put the configured load
on the routes, compute exact p50/p95/p99 and error rate per route from the raw samples, judge each route
against its budget and against the baseline of past good runs, and report one Check per route.
With `ramp`, the load steps up and a capacity check reports the most users at which every budget held.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from gates.context import GateContext
from gates.progress import Progress
from gates.report import Check, Finding, Report, Status
from gates.timing.options import Options, from_config, secret_values

__all__ = ["Options", "options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    return from_config(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.timing import baseline
    from gates.timing.engine import LoadResult, run_load
    from gates.timing.lifecycle import running_app

    started = time.monotonic()
    steps: list[tuple[LoadResult, tuple[Check, ...]]] = []
    with running_app(options):
        for users in options.ramp or (options.users,):
            result = run_load(options, users, progress)
            steps.append((result, _route_checks(options, result, None)))
            if options.ramp and _broke(steps[-1][1]):
                break
    result, checks = _chosen_step(steps)
    figures = _figures(options, result)
    print_ = baseline.fingerprint(options, result.users, result.locust_version)
    runs = baseline.load(options.baseline) if options.baseline else []
    reference = baseline.reference(runs, print_, options.baseline_runs)
    if reference and not options.ramp:
        checks = _route_checks(options, result, reference)
    updated = False
    if options.update_baseline and options.baseline and all(c.status is Status.PASSED for c in checks):
        baseline.append(options.baseline, runs, print_, figures)
        updated = True
    if options.ramp:
        checks = (*checks, _capacity_check(options, steps))
    if options.html:
        from gates.timing.chart import write_html

        write_html(options.html, options, result, checks, secret_values(options))
    metrics: dict[str, int | float | str | bool] = {
        "mode": options.mode, "users": result.users, "processes": options.processes,
        "duration_s": options.duration, "warmup_s": options.warmup,
        "locust_version": result.locust_version, "generator_cpu_warning": result.cpu_warning,
        "baseline_runs_compared": len([r for r in runs if r.get("fingerprint") == print_][-options.baseline_runs:]),
        "baseline_updated": updated,
    }
    if options.arrival_rate:
        metrics["arrival_rate"] = options.arrival_rate
    return Report("timing", checks, time.monotonic() - started, metrics, secrets=secret_values(options))


def _figures(options: Options, result: Any) -> dict[str, Any]:
    from gates.timing.figures import figures_for

    return {route.name: figures_for(result.routes[route.name], options.duration) for route in options.routes}


def _route_checks(options: Options, result: Any, reference: Mapping[str, Mapping[str, float]] | None,
                  ) -> tuple[Check, ...]:
    from gates.timing.baseline import regressions
    from gates.timing.figures import route_check

    figures = _figures(options, result)
    checks = []
    for route in options.routes:
        extra: list[Finding] = []
        if reference and route.name in reference:
            extra = regressions(route.name, figures[route.name], reference[route.name],
                                options.regression_pct, options.regression_ms)
        checks.append(route_check(route, figures[route.name], result, options.min_requests, options.duration, extra))
    return tuple(checks)


def _broke(checks: tuple[Check, ...]) -> bool:
    return any(check.status is not Status.PASSED for check in checks)


def _chosen_step(steps: list[tuple[Any, tuple[Check, ...]]]) -> tuple[Any, tuple[Check, ...]]:
    """The highest step that held (or the first step, when even that one broke)."""
    held = [step for step in steps if not _broke(step[1])]
    return held[-1] if held else steps[0]


def _capacity_check(options: Options, steps: list[tuple[Any, tuple[Check, ...]]]) -> Check:
    held = [result.users for result, checks in steps if not _broke(checks)]
    props: dict[str, int | float | str | bool] = {"max_users_held": held[-1] if held else 0,
                                                  "steps": ",".join(str(s) for s in options.ramp)}
    last_result, last_checks = steps[-1]
    if not _broke(last_checks):
        return Check("capacity", Status.PASSED, 0.0, (), props, group="capacity",
                     message=f"every budget held up to the top step, {last_result.users} users")
    first = next(check for check in last_checks if check.status is not Status.PASSED)
    props["broke_at_users"] = last_result.users
    props["first_break"] = first.name
    where = f"held up to {held[-1]} users" if held else "no step held"
    status = Status.PASSED if held else first.status
    return Check("capacity", status, 0.0, (), props, group="capacity",
                 message=f"{where}; at {last_result.users} users {first.name} broke first: {first.summary}")
