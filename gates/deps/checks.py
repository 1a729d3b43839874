"""Turn the dependencies of one file (runtime or dev) and what was found for them into one Check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gates.deps.model import Dependency, Vulnerability
from gates.deps.osv.versions import parse
from gates.deps.policy import Policy
from gates.report import Check, Finding, Location, Severity, Status, judge


@dataclass
class Group:
    """The dependencies of one file, runtime or dev: reported as one check."""

    path: str
    dev: bool
    dependencies: list[Dependency] = field(default_factory=list)
    index_options: list[str] = field(default_factory=list)  # where pip resolves this file's unpinned specs

    @property
    def name(self) -> str:
        return f"{self.path} [dev]" if self.dev else self.path


@dataclass(frozen=True)
class Audit:
    """What a vulnerability source said about a run's dependencies."""

    vulnerabilities: Mapping[Dependency, Sequence[Vulnerability]]
    not_audited: Mapping[str, Sequence[str]] = field(default_factory=dict)  # group name -> "pkg ver (why)"
    can_resolve: bool = False
    source: str = ""
    warnings: tuple[Finding, ...] = ()  # about the source itself (unorderable advisory versions)


def build_check(group: Group, audit: Audit, policy: Policy, today: dt.date, duration_s: float,
                not_audited: Sequence[str] = ()) -> Check:
    findings: list[Finding] = []
    counts = {"packages": len(group.dependencies), "audited": 0, "vulnerabilities": 0, "ignored": 0,
              "below_threshold": 0, "unpinned": 0, "not_auditable": 0}
    for dependency in group.dependencies:
        location = Location(path=dependency.path, line=dependency.line)
        if dependency.skip_reason:
            counts["not_auditable"] += 1
            # A remote source (git, URL) may well ship a vulnerable release: never a silent pass.
            findings.append(Finding("not-auditable", f"{dependency.name}: not audited ({dependency.skip_reason})",
                                    Severity.INFO if dependency.local else Severity.WARNING, location,
                                    fix=None if dependency.local else "pin a released version from the index "
                                    "(name==version) so it can be audited, or check this source by hand"))
            continue
        if dependency.version is None:
            if not audit.can_resolve:
                counts["unpinned"] += 1
                findings.append(_unpinned(dependency, location))
            continue
        if parse(dependency.version, dependency.ecosystem) is None:
            kind = "PEP 440" if dependency.ecosystem == "PyPI" else "semver"
            findings.append(Finding("invalid-version", f"{dependency.name} {dependency.version}: not a {kind} "
                                    "version; no advisory range can be evaluated", Severity.WARNING, location))
        if dependency not in audit.vulnerabilities:
            continue
        counts["audited"] += 1
        for vulnerability in audit.vulnerabilities[dependency]:
            finding, kind = _vulnerability(vulnerability, policy, today, location)
            counts[kind] += 1
            findings.append(finding)
    status = judge(findings)
    message = ""
    if not_audited and status is not Status.FAILED:
        status = Status.ERROR
        shown = ", ".join(not_audited[:10]) + (f" (+{len(not_audited) - 10} more)" if len(not_audited) > 10 else "")
        message = f"could not audit {len(not_audited)} package(s): {shown}"
        if audit.source.startswith("pip-audit"):
            message += "; where the service cannot be reached, audit offline with --db (see `gates deps update-db`)"
    elif status is Status.PASSED:
        message = f"{counts['audited']} package(s) audited, no blocking vulnerability"
    elif counts["vulnerabilities"]:
        message = _blocking_summary(findings, counts["vulnerabilities"])
    properties = {**counts, "not_audited": len(not_audited)}
    return Check(name=group.name, status=status, duration_s=duration_s, findings=tuple(findings),
                 properties=properties, group="dev" if group.dev else "runtime", message=message,
                 output="\n".join(not_audited))


def _blocking_summary(findings: Sequence[Finding], count: int) -> str:
    """One line naming every blocking advisory: `2 vulnerable: requests 2.19.0 (PYSEC-…, GHSA-…)`."""
    by_package: dict[str, list[str]] = {}
    for finding in findings:
        if finding.rule == "vulnerable-dependency":
            package, _, rest = finding.message.partition(": ")
            by_package.setdefault(package, []).append(rest.split(" ", 1)[0])
    parts = [f"{package} ({', '.join(ids)})" for package, ids in by_package.items()]
    return f"{count} blocking vulnerabilit{'y' if count == 1 else 'ies'}: " + "; ".join(parts)


def _unpinned(dependency: Dependency, location: Location) -> Finding:
    return Finding(
        "unpinned-dependency",
        f"{dependency.spec or dependency.name}: not pinned to one version, so it was not audited",
        Severity.WARNING, location,
        fix="pin it (name==version), audit the lockfile instead, or audit online (--service) to resolve it",
    )


def _vulnerability(vulnerability: Vulnerability, policy: Policy, today: dt.date,
                   location: Location) -> tuple[Finding, str]:
    dependency = vulnerability.dependency
    aliases = f" ({', '.join(vulnerability.aliases[:4])})" if vulnerability.aliases else ""
    grade = vulnerability.severity or "unknown severity"
    text = f"{dependency.name} {dependency.version}: {vulnerability.id}{aliases} [{grade}]"
    if vulnerability.summary:
        text += f" {vulnerability.summary}"
    fix = _fix_text(vulnerability)
    ignore = policy.ignore_for(vulnerability, today)
    if ignore is not None and not ignore.expired(today):
        until = f" until {ignore.until.isoformat()}" if ignore.until else ""
        return Finding("ignored-vulnerability", f"{text} — ignored{until}: {ignore.reason}", Severity.INFO,
                       location, fix=fix), "ignored"
    if not policy.blocks(vulnerability):
        return Finding("vulnerability-below-threshold", f"{text} (below fail_on = {policy.fail_on})",
                       Severity.WARNING, location, fix=fix), "below_threshold"
    if ignore is not None and ignore.until is not None:
        text += f" — the ignore for {ignore.id} expired on {ignore.until.isoformat()} ({ignore.reason})"
    return Finding("vulnerable-dependency", text, Severity.ERROR, location, fix=fix), "vulnerabilities"


def _fix_text(vulnerability: Vulnerability) -> str:
    text = _fix_this(vulnerability)
    if vulnerability.fixes_all and vulnerability.fixes_all != vulnerability.smallest_fix:
        text += f"; {vulnerability.fixes_all} fixes every known advisory for {vulnerability.dependency.name}"
    return text


def _fix_this(vulnerability: Vulnerability) -> str:
    name = vulnerability.dependency.name
    if vulnerability.smallest_fix:
        others = [v for v in vulnerability.fix_versions if v != vulnerability.smallest_fix]
        more = f" (fixed versions: {', '.join(vulnerability.fix_versions)})" if others else ""
        return f"upgrade {name} to {vulnerability.smallest_fix} for {vulnerability.id}{more}"
    if vulnerability.fix_versions:
        return f"fixed versions: {', '.join(vulnerability.fix_versions)}"
    return f"no fixed version is known: remove or replace {name}, or ignore it with a reason"
