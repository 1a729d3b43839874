"""Exact figures from raw samples, and one Check per route judged against its budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gates.report import Check, Finding, Severity, Status, judge
from gates.timing.engine import LoadResult, RouteSamples
from gates.timing.options import Route


@dataclass(frozen=True)
class Figures:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rps: float
    cold_start_ms: float | None

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.

    Always a measured value, never interpolated: p95 of 100 samples is the 95th smallest, p99 the 99th;
    with one sample every percentile is that sample; with two, p50 is the smaller and p95 the larger.
    """
    if not sorted_values:
        return 0.0
    # In integers: 0.07 * 100 is 7.000000000000001 in floats, whose ceiling would skip a rank.
    millionths = round(fraction * 1_000_000)
    rank = max(1, -(-millionths * len(sorted_values) // 1_000_000))
    return sorted_values[rank - 1]


def figures_for(samples: RouteSamples, duration_s: float) -> Figures:
    # Every answered request counts, errors included, as in Locust: a slow 500 is still slow.
    ordered = sorted(samples.latencies_ms)
    errors = sum(1 for ok in samples.ok if not ok)
    return Figures(
        requests=len(ordered), errors=errors,
        p50_ms=percentile(ordered, 0.50), p95_ms=percentile(ordered, 0.95), p99_ms=percentile(ordered, 0.99),
        max_ms=ordered[-1] if ordered else 0.0,
        rps=len(ordered) / duration_s if duration_s > 0 else 0.0,
        cold_start_ms=samples.cold_start_ms,
    )


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def describe(figures: Figures) -> str:
    return (f"p50 {_ms(figures.p50_ms)} · p95 {_ms(figures.p95_ms)} · p99 {_ms(figures.p99_ms)} · "
            f"{figures.error_rate:.1%} errors · {figures.requests} req ({figures.rps:.1f}/s)")


def properties(figures: Figures, route: Route) -> dict[str, int | float | str | bool]:
    # p95 first: tables and JUnit messages show the first figures.
    props: dict[str, int | float | str | bool] = {
        "p95_ms": round(figures.p95_ms, 2), "p50_ms": round(figures.p50_ms, 2), "p99_ms": round(figures.p99_ms, 2),
        "error_rate": round(figures.error_rate, 4), "rps": round(figures.rps, 2), "requests": figures.requests,
        "errors": figures.errors, "max_ms": round(figures.max_ms, 2), "class": route.klass,
    }
    if figures.cold_start_ms is not None:
        props["cold_start_ms"] = round(figures.cold_start_ms, 2)
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_error_rate"):
        value = getattr(route.budget, key)
        if value is not None:
            props[f"budget_{key}"] = value
    return props


def budget_findings(figures: Figures, route: Route) -> list[Finding]:
    findings = []
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
        budget = getattr(route.budget, key)
        measured = getattr(figures, key)
        if budget is not None and measured > budget:
            findings.append(Finding(
                f"{label}-budget", f"{route.name}: {label} {_ms(measured)} is over its budget of {_ms(budget)}",
                fix=f"make {route.method} {route.path} faster, or raise {key} if the budget was wrong",
            ))
    if figures.error_rate > route.budget.max_error_rate:
        findings.append(Finding(
            "error-rate",
            f"{route.name}: {figures.error_rate:.1%} of {figures.requests} requests failed "
            f"(budget {route.budget.max_error_rate:.1%})",
        ))
    return findings


def inconclusive(route: Route, figures: Figures, result: LoadResult, min_requests: int) -> str | None:
    """Why this route's figures cannot be trusted either way, or None."""
    if result.cpu_warning:
        return "the load generator used over 90% CPU: its own delays would be counted as the server's"
    if route.auth and result.login_ok == 0:
        detail = f": {result.login_error}" if result.login_error else ""
        return f"login failed for every simulated user{detail}"
    if figures.requests < max(1, min_requests):  # no sample is never a pass, whatever min_requests says
        return (f"only {figures.requests} requests measured (min_requests {min_requests}): "
                "too few for a percentile; raise duration or users")
    return None


def route_check(route: Route, figures: Figures, result: LoadResult, min_requests: int, duration_s: float,
                extra: Sequence[Finding] = ()) -> Check:
    props = properties(figures, route)
    samples = result.routes[route.name]
    errors = dict(sorted(samples.errors.items(), key=lambda item: -item[1])[:5])
    lines = [f"{reason}: {count}" for reason, count in errors.items()]
    if samples.redirects:
        props["redirects"] = sum(samples.redirects.values())
        lines += [f"{reason}: {count} (answered; redirects are not followed: set path to the final URL)"
                  for reason, count in sorted(samples.redirects.items(), key=lambda item: -item[1])[:3]]
    output = "\n".join(lines)
    why = inconclusive(route, figures, result, min_requests)
    if why is not None:
        return Check(route.name, Status.ERROR, duration_s, (), props, output, group="routes",
                     message=f"inconclusive: {why} ({describe(figures)})")
    findings = [*budget_findings(figures, route), *extra]
    status = judge(findings)
    message = describe(figures)
    if status is Status.FAILED:
        blocking = [f for f in findings if f.severity is Severity.ERROR]
        message = f"{blocking[0].message} ({message})"
    return Check(route.name, status, duration_s, tuple(findings), props, output, group="routes", message=message)
