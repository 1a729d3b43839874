"""Whether a version is affected, exactly as the OSV schema's evaluation section says.

A version is affected when it is listed in `versions` or lies inside any ECOSYSTEM/SEMVER range.
Each range's events are sorted by version before the walk (real records list them out of order);
`introduced: "0"` is minus infinity, `fixed` is exclusive, `last_affected` inclusive, `limit` an
upper bound. GIT ranges name commits, not versions, and are ignored. Bounds the ecosystem cannot
order are skipped and counted in `Stats.invalid_versions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gates.deps.model import NPM, Affected, Event, Range
from gates.deps.osv.versions import canonical, parse

VERSION_RANGES = frozenset({"ECOSYSTEM", "SEMVER"})


@dataclass
class Stats:
    """Bounds skipped because the ecosystem cannot order them (each distinct string once)."""

    invalid_bounds: set[str] = field(default_factory=set)

    def invalid(self, text: str) -> None:
        self.invalid_bounds.add(text)

    @property
    def invalid_versions(self) -> int:
        return len(self.invalid_bounds)

    @property
    def invalid_examples(self) -> list[str]:
        return sorted(self.invalid_bounds)[:5]


_MINUS_INFINITY = object()
_TIE_ORDER = {"fixed": 0, "limit": 0, "last_affected": 1, "introduced": 2}


def _sorted_events(events: Iterable[Event], ecosystem: str, stats: Stats) -> list[tuple[Any, Event]]:
    parsed: list[tuple[Any, Event]] = []
    for event in events:
        if event.kind == "introduced" and event.version == "0":
            parsed.append((_MINUS_INFINITY, event))
            continue
        if event.kind == "limit" and event.version == "*":
            continue  # the schema's "no limit": not a version, and nothing to skip or count
        version = parse(event.version, ecosystem)
        if version is None:
            stats.invalid(event.version)
            continue
        parsed.append((version, event))
    minus = [item for item in parsed if item[0] is _MINUS_INFINITY]
    # At equal versions a range closes before it (re)opens: "fixed 3.1.1 … introduced 3.1.1" written as
    # two adjacent ranges stays continuous (PYSEC-2023-72). The price, over-reporting a degenerate
    # "introduced X, fixed X", is the safe side for a gate.
    rest = sorted((item for item in parsed if item[0] is not _MINUS_INFINITY),
                  key=lambda item: (item[0], _TIE_ORDER.get(item[1].kind, 0)))
    return minus + rest


def in_range(version: Any, rng: Range, ecosystem: str, stats: Stats) -> bool:
    if rng.kind not in VERSION_RANGES:
        return False
    events = _sorted_events(rng.events, ecosystem, stats)
    if any(event.kind == "limit" and version >= bound for bound, event in events):
        return False
    # The walk over sorted events, read as intervals: each `introduced` opens one that the first
    # closing event after it ends. That settles ties the walk leaves to sort order: "introduced X,
    # last_affected X" is the single version X (not every version from X on), while a `fixed X` is
    # never the end of a range opened at X, so adjacent ranges meeting at X stay continuous.
    closes = [(bound, event.kind) for bound, event in events if event.kind in ("fixed", "last_affected")]
    for start, event in events:
        if event.kind != "introduced" or (start is not _MINUS_INFINITY and version < start):
            continue
        close = _first_close(start, closes)
        if close is None or not (version >= close[0] if close[1] == "fixed" else version > close[0]):
            return True
    return False


def _first_close(start: Any, closes: list[tuple[Any, str]]) -> tuple[Any, str] | None:
    for bound, kind in closes:
        if start is _MINUS_INFINITY or bound > start or (kind == "last_affected" and bound == start):
            return bound, kind
    return None


def is_affected(installed: str, affected: Affected, stats: Stats) -> bool:
    # `versions` holds canonical spellings (see records.py), so "1.0.0" finds a listed "1.0".
    if installed in affected.versions or canonical(installed, affected.ecosystem) in affected.versions:
        return True
    # PEP 440: a listed "2.0.0" matches the local build "2.0.0+cu118" (torch's wheels are named so).
    version = parse(installed, affected.ecosystem) if affected.ecosystem != NPM else None
    if version is not None and version.local and canonical(version.public, affected.ecosystem) in affected.versions:
        return True
    return any(_in_range_of(installed, rng, affected.ecosystem, stats) for rng in affected.ranges)


def _in_range_of(installed: str, rng: Range, ecosystem: str, stats: Stats) -> bool:
    # A SEMVER range's bounds are semantic versions whatever the ecosystem; an installed version
    # semver cannot read (PyPI's "2.1") is ordered by its ecosystem's rules instead.
    order = NPM if rng.kind == "SEMVER" and parse(installed, NPM) is not None else ecosystem
    version = parse(installed, order)
    return version is not None and in_range(version, rng, order, stats)


def fix_versions(affected: Iterable[Affected]) -> list[str]:
    """Every `fixed` bound of the entries, in version order (unorderable ones last, as written)."""
    seen: dict[str, Any] = {}
    for entry in affected:
        for rng in entry.ranges:
            if rng.kind in VERSION_RANGES:
                for event in rng.events:
                    if event.kind == "fixed":
                        seen.setdefault(event.version, parse(event.version, entry.ecosystem))
    good = sorted((v for v in seen if seen[v] is not None), key=lambda v: seen[v])
    return good + [v for v in seen if seen[v] is None]


def smallest_fix(installed: str, affected: list[Affected], stats: Stats) -> str | None:
    """The lowest fixed version above `installed` that none of the entries affects."""
    if not affected:
        return None
    ecosystem = affected[0].ecosystem
    current = parse(installed, ecosystem)
    if current is None:
        return None
    for candidate in fix_versions(affected):
        version = parse(candidate, ecosystem)
        if version is None or version <= current:
            continue
        if not any(is_affected(candidate, entry, Stats()) for entry in affected):
            return candidate
    return None
