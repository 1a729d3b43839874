"""Reports shaped like real gate output, for reporter and barrier tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gates.context import GateContext
from gates.errors import CannotEvaluate, NotConfigured
from gates.progress import Progress
from gates.report import Check, Finding, Location, Report, Severity, Status

PLANTED = "AKIAIOSFODNN7ABCDEFG"  # shaped like an AWS key id, not a real one
PASSWORD = "correct-horse-battery-staple"


def mixed_report(secret: str = PLANTED) -> Report:
    leak = Finding(
        "aws-access-key",
        f"AWS key {secret} committed",
        Severity.ERROR,
        Location("config/settings.py", 12, "0123456789abcdef0123456789abcdef01234567"),
        evidence=f"aws_key = '{secret}'",
        fix="Rotate it in the AWS console (IAM > Security credentials).",
    )
    warn = Finding("stripe-test-key", "Stripe test key", Severity.WARNING, Location("web/app.js", 3))
    return Report(
        "secrets",
        (
            Check("history", Status.FAILED, 1.25, (leak,), {"commits_scanned": 42}, output=f"found {secret}\x1b[31m",
                  group="history"),
            Check("staged", Status.PASSED, 0.01, (warn,), {"lines": 7}, group="staged"),
            Check("logs", Status.ERROR, 0.0, message="could not read ci.log: permission denied", group="logs"),
            Check("dist", Status.SKIPPED, 0.0, message="no build output found", group="paths"),
        ),
        1.3,
        {"commits_scanned": 42},
        secrets=frozenset({secret}),
    )


def passing_report(gate: str = "deps") -> Report:
    return Report(gate, (Check("requirements.txt", Status.PASSED, 0.2, properties={"packages": 12}),), 0.2)


@dataclass(frozen=True)
class SelfTestOptions:
    gate: str
    outcome: str
    password: str | None


class SelfTestGate:
    """A tiny gate whose outcome is fixed, used only by the barrier tests."""

    def __init__(self, name: str, outcome: str | None, password: str | None = PASSWORD) -> None:
        self.name, self.outcome, self.password = name, outcome, password

    def options_from_config(self, section: Mapping[str, Any], ctx: GateContext) -> SelfTestOptions:
        if self.outcome is None:
            raise NotConfigured("set outcome")
        return SelfTestOptions(self.name, self.outcome, self.password)

    def run(self, options: SelfTestOptions, progress: Progress | None = None) -> Report:
        if options.outcome == "cannot":
            raise CannotEvaluate("target unreachable")
        if options.outcome == "crash":
            raise RuntimeError("boom")
        status = {"pass": Status.PASSED, "fail": Status.FAILED, "error": Status.ERROR,
                  "warn": Status.PASSED}[options.outcome]
        findings: tuple[Finding, ...] = ()
        if options.outcome == "fail":
            findings = (Finding("demo", f"login failed with password {options.password}"),)
        if options.outcome == "warn":
            findings = (Finding("demo-warning", "slow", Severity.WARNING),)
        return Report(options.gate, (Check("only", status, 0.1, findings),), 0.1)
