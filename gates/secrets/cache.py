"""Commits already scanned clean, so a re-scan of history reads only what is new.

A commit's patch never changes, so "commit X added no secret under rule set V" stays true: the
cache file is named after a fingerprint of the rule set (our patterns, the prefilter and the
detect-secrets version) and a rule change starts a fresh file. Commits with findings are never
cached; they are read again each time so their findings are reported again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from gates.common.credentials import PATTERNS
from gates.secrets.detectors import prefilter, version
from gates.secrets.rules import RULESET_VERSION


def ruleset_fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (RULESET_VERSION, version(), prefilter().pattern, *(p.regex.pattern for p in PATTERNS)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


class CleanCommits:
    def __init__(self, directory: Path) -> None:
        self.path = directory / f"secrets-clean-{ruleset_fingerprint()}.txt"
        self._known: set[str] = set()
        self._new: list[str] = []
        try:
            self._known = set(self.path.read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            self._known = set()

    def __contains__(self, commit: object) -> bool:
        return commit in self._known

    def __len__(self) -> int:
        return len(self._known)

    def update(self, commits: Iterable[str]) -> None:
        for commit in commits:
            if commit not in self._known:
                self._known.add(commit)
                self._new.append(commit)

    def save(self) -> None:
        """Append what is new; a cache that cannot be written only costs speed next time."""
        if not self._new:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for stale in self.path.parent.glob("secrets-clean-*.txt"):
                if stale != self.path:
                    stale.unlink(missing_ok=True)
            with self.path.open("a", encoding="ascii") as handle:
                handle.write("\n".join(self._new) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            return
        self._new = []
