"""Every route's check for one load run: its figures against its budget and, when there is one, the baseline."""

from __future__ import annotations

from collections.abc import Mapping

from gates.report import Check, Finding
from gates.timing.baseline import regressions
from gates.timing.engine import LoadResult
from gates.timing.figures import Figures, figures_for, route_check
from gates.timing.options import Options

Reference = Mapping[str, Mapping[str, float]]


def all_figures(options: Options, result: LoadResult) -> dict[str, Figures]:
    return {route.name: figures_for(result.routes[route.name], options.duration) for route in options.routes}


def route_checks(options: Options, result: LoadResult, reference: Reference | None = None) -> tuple[Check, ...]:
    figures = all_figures(options, result)
    checks = []
    for route in options.routes:
        extra: list[Finding] = []
        if reference and route.name in reference:
            extra = regressions(route.name, figures[route.name], reference[route.name],
                                options.regression_pct, options.regression_ms)
        checks.append(route_check(route, figures[route.name], result, options.min_requests, options.duration, extra))
    return tuple(checks)
