"""The nouns of the deps gate: a dependency read from a file, an advisory, a match between them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PYPI = "PyPI"
NPM = "npm"


@dataclass(frozen=True)
class Dependency:
    """One package a file asks for. `version` is None when the file does not pin one."""

    name: str  # as written; `key` is the normalized form the database is indexed by
    version: str | None
    ecosystem: str
    path: str  # the file it was read from (as the user knows it)
    line: int | None = None
    dev: bool = False
    spec: str = ""  # the requirement as written when unpinned (already free of URLs)
    skip_reason: str = ""  # not auditable (editable, direct URL, local path)
    # The skipped source is the project's own code on disk (`-e .`, a path or workspace member): nothing
    # anyone publishes advisories for, so it is reported as info. Remote sources (git, URLs) are warnings.
    local: bool = False

    @property
    def key(self) -> str:
        return normalize(self.name, self.ecosystem)

    @property
    def pinned(self) -> bool:
        return self.version is not None


@dataclass(frozen=True)
class Event:
    kind: str  # introduced | fixed | last_affected | limit
    version: str


@dataclass(frozen=True)
class Range:
    kind: str  # ECOSYSTEM | SEMVER
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Affected:
    """One `affected[]` entry of an OSV record, for one package."""

    ecosystem: str
    name: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: str | None = None  # low | medium | high | critical | None (unknown)
    affected: tuple[Affected, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))


@dataclass(frozen=True)
class Vulnerability:
    """One advisory (aliases merged) that applies to one dependency."""

    dependency: Dependency
    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: str | None = None
    fix_versions: tuple[str, ...] = ()
    smallest_fix: str | None = None
    ids: frozenset[str] = field(default_factory=frozenset)
    fixes_all: str | None = None  # the smallest upgrade that fixes every advisory known for the package


SEVERITIES = ("low", "medium", "high", "critical")


def severity_rank(severity: str | None) -> int:
    """Unknown severity ranks above critical: an advisory we cannot grade blocks."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def normalize(name: str, ecosystem: str) -> str:
    if ecosystem == PYPI:
        # PEP 503: runs of -, _ and . are one -, case-insensitive.
        return re.sub(r"[-_.]+", "-", name).lower()
    return name
