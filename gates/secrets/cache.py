"""What history scans already read, so a re-scan reads only what is new.

A commit's patch never changes, so "commit X added no secret under rule set V" stays true: the
cache file is named after a fingerprint of the rule set (our patterns, the prefilter and the
detect-secrets version) and a rule change starts a fresh file. A commit that had findings is
remembered with the files they were in; a re-scan reads only those files of it again (the
findings are reported every time, and no secret is ever written to the cache).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from gates.common.credentials import PATTERNS
from gates.secrets.detectors import version
from gates.secrets.prefilter import fingerprint as prefilter_fingerprint
from gates.secrets.rules import RULESET_VERSION

MAX_LINES = 500_000  # clean candidate-line digests kept (about 10 MB)


def ruleset_fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (RULESET_VERSION, version(), prefilter_fingerprint(), *(p.regex.pattern for p in PATTERNS)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


class CleanCommits:
    def __init__(self, directory: Path) -> None:
        self.path = directory / f"secrets-{ruleset_fingerprint()}.json"
        self.clean: set[str] = set()
        self.dirty: dict[str, list[str]] = {}
        self.lines: set[str] = set()  # digests of candidate lines found clean (blake2b, not the text)
        self._changed = False
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            self.clean = set(document.get("clean", []))
            self.dirty = {str(k): [str(p) for p in v] for k, v in document.get("dirty", {}).items()}
            self.lines = set(document.get("lines", []))
        except (OSError, ValueError, AttributeError, TypeError):
            self.clean, self.dirty, self.lines = set(), {}, set()

    def known(self, commit: str) -> bool:
        return commit in self.clean or commit in self.dirty

    def __len__(self) -> int:
        return len(self.clean) + len(self.dirty)

    def record(self, read: Iterable[str], findings: Mapping[str, Iterable[str]]) -> None:
        self._changed = True
        for commit in read:
            if commit in findings:
                self.dirty[commit] = sorted(set(findings[commit]))
            else:
                self.clean.add(commit)
            self._changed = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written only costs speed next time."""
        if not self._changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for stale in self.path.parent.glob("secrets-*.json"):
                if stale != self.path:
                    stale.unlink(missing_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            lines = sorted(self.lines)[:MAX_LINES]
            document = {"clean": sorted(self.clean), "dirty": self.dirty, "lines": lines}
            temporary.write_text(json.dumps(document), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            return
        self._changed = False
