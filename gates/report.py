"""The result model every gate returns and every reporter reads.

A gate returns one `Report`; a Report holds `Check`s (one thing checked: a route, a DNS record
family, a migration, a history range); a Check holds `Finding`s. Exit codes follow from statuses:
a failed check blocks (1), a check that could not be evaluated (error) is 3, otherwise 0.
When several reports combine, 1 beats 3 beats 0.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

EXIT_PASS = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
EXIT_CANNOT_EVALUATE = 3

Figure = int | float | str | bool


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Location:
    path: str | None = None
    line: int | None = None
    commit: str | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path or ""
        if self.line is not None:
            text += f":{self.line}"
        if self.commit:
            text += f" @{self.commit[:12]}"
        return text


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location | None = None
    evidence: str | None = None  # already redacted by the gate; reporters redact again
    fix: str | None = None


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    duration_s: float = 0.0
    findings: tuple[Finding, ...] = ()
    properties: Mapping[str, Figure] = field(default_factory=dict)
    output: str = ""
    group: str = ""  # JUnit classname is gates.<gate>.<group>
    message: str = ""  # one line: why skipped / why it could not check / the key figure

    @property
    def location(self) -> Location | None:
        for finding in self.findings:
            if finding.location is not None and finding.location.path:
                return finding.location
        return None

    @property
    def summary(self) -> str:
        """One line for tables and JUnit messages."""
        if self.message:
            return self.message
        blocking = [f for f in self.findings if f.severity is Severity.ERROR] or list(self.findings)
        if not blocking:
            return ""
        first = blocking[0]
        more = f" (+{len(self.findings) - 1} more)" if len(self.findings) > 1 else ""
        return f"{first.rule}: {first.message}{more}"


def judge(findings: Iterable[Finding], fail_on: Severity = Severity.ERROR) -> Status:
    """The status a fully evaluated check gets from its findings."""
    worst = max((f.severity.rank for f in findings), default=0)
    return Status.FAILED if worst >= fail_on.rank else Status.PASSED


@dataclass(frozen=True)
class Report:
    gate: str
    checks: tuple[Check, ...]
    duration_s: float = 0.0
    metrics: Mapping[str, Figure] = field(default_factory=dict)
    # Values no output may show in full (passwords read from the environment, found keys).
    # Never serialized: reporters hand them to gates.redact.
    secrets: frozenset[str] = frozenset()

    @property
    def status(self) -> Status:
        statuses = {check.status for check in self.checks}
        for status in (Status.FAILED, Status.ERROR, Status.PASSED):
            if status in statuses:
                return status
        return Status.SKIPPED

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.status)

    @property
    def findings(self) -> list[Finding]:
        return [finding for check in self.checks for finding in check.findings]

    def counts(self) -> dict[Status, int]:
        counts = {status: 0 for status in Status}
        for check in self.checks:
            counts[check.status] += 1
        return counts


def exit_code_for(status: Status) -> int:
    if status is Status.FAILED:
        return EXIT_BLOCKED
    if status is Status.ERROR:
        return EXIT_CANNOT_EVALUATE
    return EXIT_PASS


def combine_exit_codes(codes: Iterable[int]) -> int:
    """2 (usage) beats 1 (blocked) beats 3 (could not evaluate) beats 0."""
    codes = set(codes)
    for code in (EXIT_USAGE, EXIT_BLOCKED, EXIT_CANNOT_EVALUATE):
        if code in codes:
            return code
    return EXIT_PASS


def apply_fail_on(report: Report, fail_on: Severity) -> Report:
    """Re-judge evaluated checks under a stricter policy (`--strict` = fail on warnings)."""
    if fail_on is Severity.ERROR:
        return report
    checks = tuple(
        replace(check, status=judge(check.findings, fail_on))
        if check.status is Status.PASSED and check.findings
        else check
        for check in report.checks
    )
    return replace(report, checks=checks)


def all_secrets(reports: Sequence[Report]) -> frozenset[str]:
    return frozenset().union(*(report.secrets for report in reports)) if reports else frozenset()
