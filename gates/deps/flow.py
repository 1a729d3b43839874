"""The steps of `run()`: read the files, group their dependencies, audit them, build the checks."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gates.deps.checks import Audit, Group, build_check
from gates.deps.model import NPM, PYPI, Dependency, Vulnerability
from gates.deps.options import Options
from gates.deps.readers import Manifest, ParseError, read
from gates.errors import UsageError
from gates.progress import Progress
from gates.report import Check, Figure, Finding, Location, Severity, Status, judge


@dataclass
class Inputs:
    manifests: list[Manifest] = field(default_factory=list)
    error_checks: list[Check] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


def read_inputs(options: Options) -> Inputs:
    """Parse every file. A file the user named that will not parse is a usage error (exit 2); an
    auto-detected one becomes a check that could not be evaluated (exit 3), the others still run."""
    inputs = Inputs()
    for path in options.files:
        display = _display(path, options.root)
        try:
            manifest = read(path, display)
        except ParseError as exc:
            if options.named:
                raise UsageError(str(exc)) from None
            finding = Finding("unreadable-file", exc.message, Severity.ERROR, Location(exc.path, exc.line))
            inputs.error_checks.append(Check(display, Status.ERROR, findings=(finding,), group="files",
                                             message=f"cannot parse {exc}"))
            continue
        inputs.manifests.append(manifest)
        inputs.secrets |= manifest.secrets
    return inputs


def group(manifests: Sequence[Manifest], no_dev: bool) -> list[Group]:
    groups: list[Group] = []
    for manifest in manifests:
        runtime = Group(manifest.path, False, index_options=manifest.index_options)
        dev = Group(manifest.path, True, index_options=manifest.index_options)
        seen: set[tuple[str, str, str | None, bool]] = set()
        for dependency in manifest.dependencies:
            key = (dependency.ecosystem, dependency.key, dependency.version, dependency.dev)
            if key in seen:
                continue
            seen.add(key)
            (dev if dependency.dev else runtime).dependencies.append(dependency)
        groups.append(runtime)
        if dev.dependencies and not no_dev:
            groups.append(dev)
    return groups


def audit(groups: Sequence[Group], options: Options, progress: Progress | None) -> tuple[Audit, dict[str, Figure]]:
    if options.db is not None:
        return _offline(groups, options, progress)
    return _online(groups, options, progress)


def checks(groups: Sequence[Group], audit: Audit, options: Options, audit_s: float) -> list[Check]:
    """One check per group; the audit ran for all groups at once, so each gets its share of the time."""
    built = []
    share = audit_s / max(len(groups), 1)
    for item in groups:
        started = time.monotonic()
        missing = list(audit.not_audited.get(item.name, ()))
        built.append(build_check(item, audit, options.policy, options.today,
                                 share + time.monotonic() - started, missing))
    if audit.warnings:
        built.append(Check("OSV database", judge(audit.warnings), findings=audit.warnings, group="database",
                           message=audit.warnings[0].message))
    return built


def _offline(groups: Sequence[Group], options: Options, progress: Progress | None) -> tuple[Audit, dict[str, Figure]]:
    from gates.deps.audit import audit as match
    from gates.deps.osv.database import open_database
    from gates.deps.osv.evaluate import Stats

    assert options.db is not None
    if progress is not None:
        progress.task("Loading the OSV database")
    db = open_database(options.db, options.cache_dir)
    stats = Stats()
    try:
        found = match((d for g in groups for d in g.dependencies), db, stats)
    finally:
        db.close()
    metrics: dict[str, Figure] = {"source": f"osv-db:{options.db}", "db_records": db.records,
                                  "db_withdrawn": db.withdrawn, "index": "built" if db.built else "cached",
                                  "invalid_versions": stats.invalid_versions}
    warnings: tuple[Finding, ...] = ()
    if stats.invalid_versions:
        examples = ", ".join(repr(e) for e in stats.invalid_examples)
        warnings = (Finding("invalid-advisory-version", f"{stats.invalid_versions} version bound(s) in advisories "
                            f"for these packages are not valid versions and were skipped (e.g. {examples})",
                            Severity.WARNING),)
    audit = Audit(found, warnings=warnings, source="osv-db")
    return audit, metrics


def _online(groups: Sequence[Group], options: Options, progress: Progress | None) -> tuple[Audit, dict[str, Figure]]:
    from gates.deps.online import audit_pinned, audit_resolved

    pinned = [d for g in groups for d in g.dependencies
              if d.ecosystem == PYPI and d.version is not None and not d.skip_reason]
    if progress is not None:
        progress.task(f"pip-audit ({options.service}): {len(pinned)} packages")
    result = audit_pinned(pinned, options.service, options.timeout, options.osv_url)
    vulnerabilities: dict[Dependency, list[Vulnerability]] = dict(result.vulnerabilities)
    not_audited: dict[str, list[str]] = {}
    for item in groups:
        reasons = not_audited.setdefault(item.name, [])
        for dependency in item.dependencies:
            if dependency.skip_reason:
                continue
            if dependency.ecosystem == NPM and dependency.version is not None:
                reasons.append(f"{dependency.name} {dependency.version} (npm: pip-audit audits PyPI only; use --db)")
            elif dependency.version is not None and dependency not in vulnerabilities:
                why = result.not_audited.get(f"{dependency.name} {dependency.version}", "not in pip-audit's report")
                reasons.append(f"{dependency.name} {dependency.version} ({why})")
        unpinned = [d for d in item.dependencies if d.version is None and not d.skip_reason and d.ecosystem == PYPI]
        if unpinned and not options.no_resolve:
            resolved = audit_resolved(unpinned, options.service, options.timeout, options.osv_url, item.index_options)
            item.dependencies.extend(resolved.resolved)
            vulnerabilities.update(resolved.vulnerabilities)
            reasons.extend(f"{name} ({why})" for name, why in resolved.not_audited.items())
    audit = Audit(vulnerabilities, {k: v for k, v in not_audited.items() if v},
                  can_resolve=not options.no_resolve, source=f"pip-audit:{options.service}")
    return audit, {"source": f"pip-audit:{options.service}"}


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
