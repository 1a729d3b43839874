"""--watch: keep checking for a window after the first pass; pass, fail or inconclusive (Argo/Flagger analysis).

A round is one run of every check (the login too; not the write, which happens once per gate run). A round
fails when a check fails; it is an error (could not check) when none failed but one could not be evaluated.
The window fails when more rounds failed than `failure_limit`, when the error rate over every check run
exceeds `max_error_rate`, or when a check's p95 exceeds its `max_ms`; it is inconclusive when more than
`consecutive_errors` rounds in a row could not check.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass

from gates.progress import Progress
from gates.report import Check, Finding, Status
from gates.smoke.options import Options
from gates.smoke.suite import run_round


@dataclass(frozen=True)
class Verdict:
    check: Check
    secrets: frozenset[str]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


async def watch(options: Options, progress: Progress) -> Verdict:
    task = progress.task(f"Watching {options.base_url}", total=options.watch)
    started = time.perf_counter()
    deadline = started + options.watch
    budgets = {c.name: c.expect.max_ms for c in options.checks if c.expect.max_ms is not None}
    latencies: dict[str, list[float]] = defaultdict(list)
    runs = failures = rounds = failed_rounds = error_streak = worst_streak = 0
    lines: list[str] = []
    secrets: set[str] = set()
    while time.perf_counter() < deadline:
        round_started = time.perf_counter()
        result = await run_round(options, write=False)
        rounds += 1
        secrets |= result.secrets
        evaluated = [c for c in result.checks if c.status in (Status.PASSED, Status.FAILED)]
        runs += len(evaluated)
        bad = [c for c in result.checks if c.status is Status.FAILED]
        failures += len(bad)
        for check in evaluated:
            if isinstance(check.properties.get("elapsed_ms"), float | int):
                latencies[check.name].append(float(check.properties["elapsed_ms"]))
        errored = [c for c in result.checks if c.status is Status.ERROR]
        if bad:
            failed_rounds += 1
            error_streak = 0
            lines.append(f"round {rounds}: failed: " + "; ".join(f"{c.name}: {c.summary}" for c in bad))
        elif errored:
            error_streak += 1
            worst_streak = max(worst_streak, error_streak)
            lines.append(f"round {rounds}: could not check: " + "; ".join(f"{c.name}: {c.summary}" for c in errored))
        else:
            error_streak = 0
            lines.append(f"round {rounds}: passed")
        task.advance(time.perf_counter() - round_started)
        pause = min(options.interval - (time.perf_counter() - round_started), deadline - time.perf_counter())
        if pause > 0:
            await asyncio.sleep(pause)
    return Verdict(_judge(options, rounds, failed_rounds, runs, failures, worst_streak, latencies, budgets,
                          lines, time.perf_counter() - started), frozenset(secrets))


def _judge(options: Options, rounds: int, failed_rounds: int, runs: int, failures: int, worst_streak: int,
           latencies: dict[str, list[float]], budgets: dict[str, float], lines: list[str], elapsed: float) -> Check:
    rate = failures / runs if runs else 0.0
    properties: dict[str, int | float | str | bool] = {
        "rounds": rounds, "failed_rounds": failed_rounds, "checks_run": runs, "error_rate": round(rate, 4),
    }
    findings: list[Finding] = []
    for name, values in sorted(latencies.items()):
        p95 = _p95(values)
        properties[f"p95_ms.{name}"] = round(p95, 1)
        if name in budgets and p95 > budgets[name]:
            findings.append(Finding("latency", f"{name}: p95 {p95:.0f} ms over the window,"
                                               f" budget {budgets[name]:g} ms"))
    if failed_rounds > options.failure_limit:
        findings.append(Finding("failed-rounds", f"{failed_rounds} of {rounds} rounds failed"
                                                 f" (failure_limit {options.failure_limit})"))
    if rate > options.max_error_rate:
        findings.append(Finding("error-rate", f"error rate {rate:.1%} over {runs} checks,"
                                              f" above max_error_rate {options.max_error_rate:.1%}"))
    summary = f"{rounds} rounds over {elapsed:.1f} s, {failed_rounds} failed, error rate {rate:.1%}"
    if findings:
        return Check("watch window", Status.FAILED, elapsed, tuple(findings), {**properties, "verdict": "fail"},
                     "\n".join(lines), group="watch")
    if worst_streak > options.consecutive_errors or runs == 0:
        message = (f"inconclusive: {worst_streak} rounds in a row could not check"
                   f" (consecutive_errors {options.consecutive_errors}); {summary}")
        return Check("watch window", Status.ERROR, elapsed, (), {**properties, "verdict": "inconclusive"},
                     "\n".join(lines), group="watch", message=message)
    return Check("watch window", Status.PASSED, elapsed, (), {**properties, "verdict": "pass"}, "\n".join(lines),
                 group="watch", message=summary)
