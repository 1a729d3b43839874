"""Match pinned dependencies against the offline database, one merged result per bug.

Advisories that name each other (a PYSEC record and the GHSA it aliases) describe one bug: they
are merged into one `Vulnerability` with the union of ids, fix versions and the highest grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from gates.deps.model import Advisory, Affected, Dependency, Vulnerability, normalize, severity_rank
from gates.deps.osv.database import Database
from gates.deps.osv.evaluate import Stats, fix_versions, is_affected, smallest_fix

_ID_PREFERENCE = ("PYSEC-", "GHSA-")


def audit(dependencies: Iterable[Dependency], db: Database, stats: Stats) -> dict[Dependency, list[Vulnerability]]:
    cache: dict[tuple[str, str], list[Advisory]] = {}
    results: dict[Dependency, list[Vulnerability]] = {}
    for dependency in dependencies:
        if dependency.version is None or dependency.skip_reason:
            continue
        key = (dependency.ecosystem, dependency.key)
        if key not in cache:
            cache[key] = db.advisories(*key)
        matched: list[tuple[Advisory, list[Affected]]] = []
        for advisory in cache[key]:
            entries = [a for a in advisory.affected
                       if a.ecosystem == dependency.ecosystem and normalize(a.name, a.ecosystem) == dependency.key]
            if any(is_affected(dependency.version, entry, stats) for entry in entries):
                matched.append((advisory, entries))
        merged = merge(dependency, matched, stats)
        if len(merged) > 1:
            every = smallest_fix(dependency.version, [e for _, found in matched for e in found], stats)
            merged = [replace(v, fixes_all=every) for v in merged]
        results[dependency] = merged
    return results


def merge(dependency: Dependency, matched: list[tuple[Advisory, list[Affected]]], stats: Stats) -> list[Vulnerability]:
    groups: list[list[tuple[Advisory, list[Affected]]]] = []
    for item in matched:
        overlapping = [g for g in groups if any(item[0].ids & other.ids for other, _ in g)]
        merged = [item]
        for group in overlapping:
            merged.extend(group)
            groups.remove(group)
        groups.append(merged)
    return sorted((_one(dependency, group, stats) for group in groups), key=lambda v: v.id)


def _one(dependency: Dependency, group: list[tuple[Advisory, list[Affected]]], stats: Stats) -> Vulnerability:
    advisories = [advisory for advisory, _ in group]
    entries = [entry for _, found in group for entry in found]
    primary = min(advisories, key=_preference)
    ids = frozenset().union(*(a.ids for a in advisories))
    graded = [a.severity for a in advisories if a.severity]
    assert dependency.version is not None
    return Vulnerability(
        dependency=dependency,
        id=primary.id,
        aliases=tuple(sorted(ids - {primary.id})),
        summary=primary.summary or next((a.summary for a in advisories if a.summary), ""),
        severity=max(graded, key=severity_rank) if graded else None,
        fix_versions=tuple(fix_versions(entries)),
        smallest_fix=smallest_fix(dependency.version, entries, stats),
        ids=ids,
    )


def _preference(advisory: Advisory) -> tuple[int, str]:
    for rank, prefix in enumerate(_ID_PREFERENCE):
        if advisory.id.startswith(prefix):
            return rank, advisory.id
    return len(_ID_PREFERENCE), advisory.id
