"""The smoke gate's options_from_config() and run(); `gates.smoke` loads this module on first use."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gates.context import GateContext
from gates.progress import NullProgress, Progress
from gates.report import Check, Report, Status

if TYPE_CHECKING:
    from gates.smoke.options import Options

__all__ = ["options_from_config", "run", "github_outputs"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.smoke.options import options_from_config as parse

    return parse(section, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    progress = progress or NullProgress()
    started = time.perf_counter()
    if options.dry_run:
        from gates.smoke.dry_run import plan

        return Report("smoke", plan(options), time.perf_counter() - started)
    checks, secrets = asyncio.run(_check(options, progress))
    verdict = _verdict(checks)
    if options.rollback and _should_roll_back(verdict, options):
        checks.append(_roll_back(options, checks, verdict, secrets))
    failed = [c for c in checks if c.status is Status.FAILED and c.group != "rollback"]
    metrics: dict[str, int | float | str | bool] = {
        "checks": len(checks), "failed": len(failed), "verdict": verdict, "base_url": options.base_url,
    }
    return Report("smoke", tuple(checks), time.perf_counter() - started, metrics,
                  secrets=options.secrets | secrets)


async def _check(options: Options, progress: Progress) -> tuple[list[Check], frozenset[str]]:
    from gates.smoke.suite import run_round
    from gates.smoke.wait import wait_until_ready
    from gates.smoke.watch import watch

    checks: list[Check] = []
    if options.wait > 0:
        ready = await wait_until_ready(options, progress)
        checks.append(ready)
        if ready.status is not Status.PASSED:
            return checks, frozenset()
    first = await run_round(options)
    checks.extend(first.checks)
    secrets = first.secrets
    if options.watch > 0 and _verdict(checks) == "pass":
        verdict = await watch(options, progress)
        checks.append(verdict.check)
        secrets |= verdict.secrets
    return checks, secrets


def _verdict(checks: list[Check]) -> str:
    statuses = {check.status for check in checks}
    if Status.FAILED in statuses:
        return "failed"
    if Status.ERROR in statuses:
        return "inconclusive"
    return "pass"


def _should_roll_back(verdict: str, options: Options) -> bool:
    return verdict == "failed" or (verdict == "inconclusive" and options.rollback_on_inconclusive)


def _roll_back(options: Options, checks: list[Check], verdict: str, secrets: frozenset[str]) -> Check:
    from gates.redact import redact
    from gates.smoke.rollback import rollback_env, run_rollback

    bad = [c for c in checks if c.status in (Status.FAILED, Status.ERROR)]
    known = options.secrets | secrets
    reason = redact("; ".join(f"{c.name}: {c.summary}" for c in bad)[:1000], known)
    env = rollback_env([c.name for c in bad], reason, options.base_url, verdict)
    return run_rollback(options.rollback, options.rollback_timeout, options.root, env, known)


def github_outputs(report: Report) -> dict[str, str]:
    """`rollback=triggered|failed|not-needed` and `failed_checks` for $GITHUB_OUTPUT."""
    rollback = next((c for c in report.checks if c.group == "rollback" and c.name == "rollback"), None)
    if rollback is None or rollback.status is Status.SKIPPED:
        state = "not-needed"
    else:
        state = "triggered" if rollback.status is Status.PASSED else "failed"
    failed = [c.name for c in report.checks if c.status is Status.FAILED and c.group != "rollback"]
    return {"rollback": state, "failed_checks": ",".join(failed)}
