"""--dry-run: say what would be checked and what would be rolled back, without sending a request."""

from __future__ import annotations

from gates.report import Check, Status
from gates.smoke.options import HEALTH_PATHS, Options, Request


def _would(name: str, group: str, message: str) -> Check:
    return Check(name, Status.SKIPPED, group=group, message=f"dry run: would {message}")


def plan(options: Options) -> tuple[Check, ...]:
    checks: list[Check] = []
    if options.wait:
        health = options.health or ", ".join((*HEALTH_PATHS, "/"))
        checks.append(_would("wait for ready", "wait", f"poll {health} for up to {options.wait:g} s"))
    if options.login:
        how = f"bearer token from {options.login.token!r}" if options.login.token else "session cookie"
        checks.append(_would("login", "login", f"{options.login.method} {options.login.path} and keep the {how}"))
    requests = list(options.checks) or [
        Request("homepage", "/"),
        Request("health", options.health or "first of " + ", ".join(HEALTH_PATHS)),
    ]
    checks += [_would(r.name, "checks", f"check {r.describe()}") for r in requests]
    if options.write:
        checks.append(_would(options.write.request.name, "write", f"write {options.write.request.describe()}"))
        if options.write.cleanup:
            checks.append(_would(options.write.cleanup.name, "write", f"clean up {options.write.cleanup.describe()}"))
    if options.watch:
        checks.append(_would("watch window", "watch",
                             f"repeat every {options.interval:g} s for {options.watch:g} s (max error rate "
                             f"{options.max_error_rate:.1%}, failure_limit {options.failure_limit}, "
                             f"consecutive_errors {options.consecutive_errors})"))
    when = "blocks" + (" or is inconclusive" if options.rollback_on_inconclusive else "")
    rollback = (f"run {' '.join(options.rollback)} (timeout {options.rollback_timeout:g} s) once if the gate {when}"
                if options.rollback else "do nothing: no rollback command is set")
    checks.append(_would("rollback", "rollback", rollback))
    return tuple(checks)
