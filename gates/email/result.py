"""What one record family's check collects while it runs, and how that becomes a `Check`.

A lookup that failed (SERVFAIL, timeout) makes the check ERROR (exit 3, "could not check"), never
a pass and never "record missing" — unless something already found is enough to block.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gates.common.dns import Lookup
from gates.report import Check, Figure, Finding, Severity, Status, judge


@dataclass
class Result:
    family: str  # spf, dkim, dmarc, mx, mta-sts, tls-rpt: the JUnit group
    domain: str
    findings: list[Finding] = field(default_factory=list)
    failures: list[Lookup] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    properties: dict[str, Figure] = field(default_factory=dict)
    skipped: str = ""  # a reason: nothing to check here

    def add(self, rule: str, severity: Severity, message: str, evidence: str | None = None,
            fix: str | None = None) -> None:
        self.findings.append(Finding(f"{self.family}-{rule}", message, severity, evidence=evidence, fix=fix))

    def error(self, rule: str, message: str, evidence: str | None = None, fix: str | None = None) -> None:
        self.add(rule, Severity.ERROR, message, evidence, fix)

    def warn(self, rule: str, message: str, evidence: str | None = None, fix: str | None = None) -> None:
        self.add(rule, Severity.WARNING, message, evidence, fix)

    def info(self, rule: str, message: str, evidence: str | None = None, fix: str | None = None) -> None:
        self.add(rule, Severity.INFO, message, evidence, fix)

    def failed(self, lookup: Lookup) -> bool:
        """Record a lookup that could not complete; True when it failed (the caller stops there)."""
        if lookup.failed:
            self.failures.append(lookup)
            self.lines.append(f"could not look up {lookup.describe()}")
            return True
        return False

    def to_check(self, duration_s: float) -> Check:
        name = f"{self.domain} {self.family}"
        output = "\n".join(self.lines)
        blocking = any(f.severity is Severity.ERROR for f in self.findings)
        if self.failures and not blocking:
            first = self.failures[0]
            more = f" (+{len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
            return Check(name, Status.ERROR, duration_s, tuple(self.findings), self.properties, output,
                         self.family, f"could not check: {first.describe()}{more}")
        if self.skipped and not self.findings:
            return Check(name, Status.SKIPPED, duration_s, (), self.properties, output, self.family,
                         self.skipped)
        return Check(name, judge(self.findings), duration_s, tuple(self.findings), self.properties,
                     output, self.family)


def quoted(name: str, record: str, rdtype: str = "TXT") -> str:
    """The record as evidence: `_dmarc.example.com TXT "v=DMARC1; p=none"`."""
    return f'{name} {rdtype} "{record}"'
