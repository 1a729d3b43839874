"""The ai gate's run(): plan the attacks, send them, judge every answer, one Check per attack."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from gates.ai.cases import Case
from gates.ai.options import Options, options_from_config
from gates.progress import NullProgress, Progress
from gates.report import Check, Figure, Finding, Report, Severity, Status

if TYPE_CHECKING:  # gates.ai.client imports httpx: loaded only when the gate runs
    from gates.ai.client import Exchange

__all__ = ["Options", "options_from_config", "run"]


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.ai.client import Endpoint
    from gates.ai.judges import Rules, credential_hits
    from gates.ai.runner import p95, send_all
    from gates.ai.verdict import check_for, skipped

    started = time.monotonic()
    planned, over_budget = _plan(options)
    prompts = [prompt for case in planned for prompt in case.prompts]
    endpoint = Endpoint(options, spare=options.max_requests - len(prompts))
    try:
        endpoint.log_in()
        task = (progress or NullProgress()).task("Sending attacks", total=len(prompts))
        exchanges = send_all(endpoint, prompts, options.concurrency, task)
    finally:
        endpoint.close()
    rules = Rules(options.canaries, options.system_prompt, options.system_prompt_words, options.allowed_domains,
                  options.forbidden_tools)
    secrets: set[str] = set(options.secrets) | endpoint.secrets
    for exchange in exchanges:  # an error body may echo a key ("Incorrect API key provided: sk-…")
        if exchange.error:
            secrets.update(exchange.error[a:b] for a, b in (h.span for h in credential_hits(exchange.error) if h.span))
    checks: list[Check] = []
    cursor = 0
    for case in planned:
        checks.append(check_for(case, exchanges[cursor:cursor + len(case.prompts)], rules, secrets))
        cursor += len(case.prompts)
    why = f"not sent: max_requests ({options.max_requests}) reached"
    checks.extend(skipped(case, why) for case in over_budget)
    timings = [e.elapsed_ms for e in exchanges if e.elapsed_ms is not None and e.error is None]
    checks.append(_latency(timings, options.p95_ms))
    reached = [e for e in exchanges if not e.unreachable]
    if options.max_error_rate is not None and reached:
        checks.append(_error_rate(reached, options.max_error_rate))
    metrics: dict[str, Figure] = {"requests": len(exchanges) + endpoint.retries, "retries": endpoint.retries,
               "errors": sum(1 for e in exchanges if e.error),
               "attacks": len(planned), "not_sent": len(over_budget), "attack_set": options.attack_set_version}
    if timings:
        metrics["p95_ms"] = round(p95(timings), 1)
    return Report("ai", tuple(checks), time.monotonic() - started, metrics, frozenset(secrets))


def _plan(options: Options) -> tuple[list[Case], list[Case]]:
    """The cases that fit in max_requests (whole cases, in order) and those that do not."""
    planned: list[Case] = []
    left = options.max_requests
    for index, case in enumerate(options.cases):
        if len(case.prompts) > left:
            return planned, list(options.cases[index:])
        planned.append(case)
        left -= len(case.prompts)
    return planned, []


def _error_rate(exchanges: list[Exchange], budget: float) -> Check:
    """Timeouts and 5xx make their attack's check an error (exit 3); past the budget the AI route itself is
    too unreliable to ship (exit 1). Requests that never reached the app (refused, DNS, TLS) are not counted:
    those say the gate could not check, not that the route is unreliable."""
    failed = [e for e in exchanges if e.error]
    rate = len(failed) / len(exchanges)
    properties: dict[str, Figure] = {"error_rate": round(rate, 4), "errors": len(failed), "budget": budget}
    message = f"{len(failed)} of {len(exchanges)} requests failed ({rate:.0%}, budget {budget:.0%})"
    findings: tuple[Finding, ...] = ()
    if rate > budget:
        findings = (Finding("error-rate-over-budget", message, Severity.ERROR,
                            evidence=failed[0].error, fix="Fix the AI route's timeouts and server errors."),)
    return Check("error-rate", Status.FAILED if findings else Status.PASSED, 0.0, findings, properties,
                 group="latency", message=message)


def _latency(timings: list[float], budget: float | None) -> Check:
    from gates.ai.runner import p95

    if not timings:
        return Check("p95", Status.ERROR, group="latency", message="no answer came back: nothing to time")
    value = p95(timings)
    properties: dict[str, Figure] = {"p95_ms": value, "max_ms": max(timings), "answers": len(timings)}
    findings: tuple[Finding, ...] = ()
    if budget is not None:
        properties["budget_ms"] = budget
        if value > budget:
            findings = (Finding("p95-over-budget", f"p95 {value:.0f} ms is over the {budget:.0f} ms budget",
                                Severity.ERROR, fix="Stream the answer, use a faster model or trim the context."),)
    status = Status.FAILED if findings else Status.PASSED
    message = f"p95 {value:.0f} ms over {len(timings)} answers" + (f" (budget {budget:.0f} ms)" if budget else "")
    return Check("p95", status, sum(timings) / 1000, findings, properties, group="latency", message=message)
