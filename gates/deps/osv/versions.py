"""Version ordering per ecosystem: PEP 440 for PyPI (packaging), semver 2.0 precedence for npm.

`parse` returns a sortable key or None for a string the ecosystem cannot order; callers skip those
and count them instead of crashing.
"""

from __future__ import annotations

import re
from functools import lru_cache, total_ordering
from typing import Any

from gates.deps.model import NPM

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


@total_ordering
class SemVer:
    """Semver precedence: build metadata ignored; a pre-release sorts before its release."""

    def __init__(self, major: int, minor: int, patch: int, pre: tuple[int | str, ...]) -> None:
        self.core = (major, minor, patch)
        self.pre = pre

    def _key(self) -> tuple[Any, ...]:
        # A release (no pre-release) sorts after every pre-release of the same core.
        pre_key = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.pre)
        return (self.core, 1 if not self.pre else 0, pre_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self._key() == other._key()

    def __lt__(self, other: SemVer) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"SemVer({self.core}, {self.pre})"


def parse_semver(text: str) -> SemVer | None:
    match = _SEMVER.match(text.strip())
    if match is None:
        return None
    pre: tuple[int | str, ...] = ()
    if match["pre"]:
        pre = tuple(int(p) if p.isdigit() else p for p in match["pre"].split("."))
    return SemVer(int(match["major"]), int(match["minor"]), int(match["patch"]), pre)


@lru_cache(maxsize=65536)
def parse(text: str, ecosystem: str) -> Any | None:
    """A comparable version, or None when `text` is not a version of this ecosystem (cached:
    the same bounds recur across records and packages)."""
    if ecosystem == NPM:
        return parse_semver(text)
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def canonical(text: str, ecosystem: str) -> str:
    """The spelling equal versions share (PyPI's "1.0.0", "1.0" and "v1.0" are all "1"), for exact lookups."""
    if ecosystem == NPM:
        return text
    version = parse(text, ecosystem)
    if version is None:
        return text
    from packaging.utils import canonicalize_version

    return canonicalize_version(version)
