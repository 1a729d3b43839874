"""What history scans already read, so a re-scan reads only what is new.

A commit's patch never changes, so "commit X added no secret under rule set V" stays true: the
cache file is named after a fingerprint of the rule set (our patterns, the prefilter and the
detect-secrets version) and a rule change starts a fresh file. A commit that had findings is
remembered with its findings as outputs show them (masked value, SHA-1 as in a detect-secrets
baseline, redacted evidence — never the secret), so a re-scan does not read it again either.
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
from gates.secrets.scanner import Located

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
        self.found: dict[str, list[Located]] = {}
        self.lines: set[str] = set()  # digests of candidate lines found clean (blake2b, not the text)
        self._changed = False
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            self.clean = set(document.get("clean", []))
            self.found = {str(k): [Located.from_json(item) for item in v] for k, v in document.get("found", {}).items()}
            self.lines = set(document.get("lines", []))
        except (OSError, ValueError, AttributeError, TypeError, KeyError):
            self.clean, self.found, self.lines = set(), {}, set()

    def known(self, commit: str) -> bool:
        return commit in self.clean or commit in self.found

    def __len__(self) -> int:
        return len(self.clean) + len(self.found)

    def record(self, read: Iterable[str], findings: Mapping[str, list[Located]]) -> None:
        for commit in read:
            self._changed = True  # nothing read: nothing to write (a warm re-scan rewrites no file)
            if commit in findings:
                self.found[commit] = list(findings[commit])
            else:
                self.clean.add(commit)

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
            found = {commit: [item.to_json() for item in items] for commit, items in self.found.items()}
            document = {"clean": sorted(self.clean), "found": found, "lines": lines}
            temporary.write_text(json.dumps(document), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            return
        self._changed = False
