"""Run the scopes an Options asks for, and turn each into one Check.

A scope that could not be read (shallow clone, missing base) is an error check: exit 3, never a
pass. Every check states what it read — commits, blobs, lines — in its message and properties,
so a scan that saw almost nothing cannot pass for a clean one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from gates.common.git import GitError
from gates.progress import Progress
from gates.report import Check, Figure, Status, judge
from gates.secrets import sources
from gates.secrets.cache import CleanCommits
from gates.secrets.detectors import DetectSecrets
from gates.secrets.findings import Suppressed, in_head, keep, to_finding
from gates.secrets.options import Options
from gates.secrets.scanner import Scanner
from gates.secrets.sources import Scope
from gates.secrets.workers import Detector


def scan_scopes(options: Options, progress: Progress) -> Iterator[tuple[Scope, Scanner, float]]:
    root = options.root
    skip = _baseline_paths(options)
    with DetectSecrets() as ds:
        detector = Detector(ds)
        try:
            if options.mode in ("history", "range", "staged"):
                yield _timed(lambda s: _git_scope(options, s, progress), detector, skip)
            existing = [p for p in options.paths if (root / p).exists()]
            if options.mode != "staged" and existing:
                yield _timed(lambda s: sources.disk(root, existing, s, options.max_file_bytes, "paths"), detector, skip)
            missing = [p for p in options.paths if p not in existing]
            if options.mode != "staged" and missing:
                yield Scope(f"paths: {', '.join(missing)}", "paths",
                            notes=[f"not there (nothing built yet?): {', '.join(missing)}"]), Scanner(detector), 0.0
            if options.mode != "staged" and options.logs:
                logs = list(options.logs)
                yield _timed(lambda s: sources.disk(root, logs, s, options.max_file_bytes, "logs"), detector, skip)
        finally:
            detector.close()


def _baseline_paths(options: Options) -> frozenset[str]:
    names = {".secrets.baseline"}
    if options.baseline is not None:
        try:
            names.add(options.baseline.resolve().relative_to(options.root.resolve()).as_posix())
        except ValueError:
            pass
    return frozenset(names)


def _git_scope(options: Options, scanner: Scanner, progress: Progress) -> Scope:
    try:
        if options.mode == "staged":
            return sources.staged(options.root, scanner)
        if options.mode == "range":
            assert options.range is not None
            return sources.commit_range(options.root, options.range, scanner, options.allow_shallow, progress)
        cache = CleanCommits(options.cache_dir) if options.cache_dir is not None else None
        scope = sources.history(options.root, scanner, options.allow_shallow, cache, progress, options.shallow)
        if cache is not None:
            cache.save()
        return scope
    except GitError as exc:
        return Scope(options.mode, options.mode, error=str(exc))


def _timed(work: Callable[[Scanner], Scope], detector: Detector, skip: frozenset[str]) -> tuple[Scope, Scanner, float]:
    started = time.perf_counter()
    scanner = Scanner(detector, skip_paths=skip)
    scope = work(scanner)
    scanner.finish()
    return scope, scanner, time.perf_counter() - started


def to_check(scope: Scope, scanner: Scanner, elapsed: float, options: Options,
             baseline: frozenset[str]) -> tuple[Check, set[str]]:
    counts = scanner.counts
    # A re-scan reads only new commits; the ones the cache vouches for were scanned too, so a warm run
    # never reports "0 commits scanned" (which reads like a scan that saw nothing).
    cached = int(scope.properties.get("commits_cached", 0))
    properties: dict[str, Figure] = {
        "lines_candidates": counts.candidates, "lines_cached_clean": counts.cached, **scope.properties,
        "commits_scanned": counts.commits + cached, "commits_read": counts.commits,
        "blobs_scanned": counts.blobs, "lines_scanned": counts.lines,
    }
    from_cache = f" ({cached} from the cache, {counts.commits} read now)" if cached else ""
    scanned = f"scanned {counts.commits + cached} commits{from_cache}, {counts.blobs} blobs, {counts.lines} lines"
    if scope.group in ("paths", "logs"):
        scanned = f"scanned {counts.blobs} files, {counts.lines} lines"
    if scope.error:
        return Check(scope.name, Status.ERROR, elapsed, properties=properties, group=scope.group,
                     message=f"could not scan: {scope.error}"), set()
    suppressed = Suppressed()
    items = keep(scanner.found.values(), baseline, options.allow, suppressed)
    properties.update(suppressed_baseline=suppressed.baseline, suppressed_allow=suppressed.allowed)
    history = scope.group in ("history", "range") and any(item.origin.commit for item in items)
    head = in_head(options.root, items, options.cache_dir) if history else None
    findings = tuple(to_finding(item, head) for item in items)
    findings = tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.rule, str(f.location))))
    notes = "; ".join(scope.notes)
    message = scanned + (f"; {notes}" if notes else "")
    if findings:
        message = f"{len(findings)} secret(s), first: {findings[0].rule}: {findings[0].message} — {message}"
    status = judge(findings)
    if not counts.lines and not counts.blobs and not findings and scope.notes and scope.group == "paths":
        status = Status.SKIPPED
    # Known secrets are masked wherever they appear in any output: only values that cannot be a common
    # word (a keyword finding's "test" would otherwise mask every path with "test" in it).
    secrets = {item.hit.secret for item in items if len(item.hit.secret) >= 8 and not item.hit.secret.isalpha()}
    return Check(scope.name, status, elapsed, findings, properties, group=scope.group, message=message), secrets
