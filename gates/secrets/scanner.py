"""The scanner every source feeds: de-duplicate candidate lines, detect, keep each secret's first place.

Readers (gates.secrets.patch) find candidate lines in bulk with the prefilter and hand only those
over, with their origin (path, commit, author date) and line number. A candidate line already seen
(same bytes, same kind of file) is skipped; a long line (minified bundles, notebooks) is scanned
only in windows around prefilter hits, so its cost is bounded by what can match.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from gates.report import Severity
from gates.secrets.detectors import DetectSecrets
from gates.secrets.prefilter import candidate_windows
from gates.secrets.rules import ENV_FILE_FIX, ENV_FILE_RULE, Hit, is_env_file
from gates.secrets.workers import Detector, Job

LONG_LINE = 1000  # bytes; longer lines are scanned in windows around prefilter hits
WINDOW_RADIUS = 200
BATCH = 128  # candidate lines per detection batch
PRAGMA = b"allowlist secret"
PRAGMA_NEXT = b"allowlist nextline secret"
ENV_HIT = Hit(ENV_FILE_RULE, "committed .env file", Severity.ERROR, "", ENV_FILE_FIX, "env file")


@dataclass(frozen=True)
class Origin:
    path: str
    commit: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Located:
    hit: Hit
    origin: Origin
    line: int | None
    text: str  # the line (or window) the secret is on, for redacted evidence


@dataclass
class Counts:
    commits: int = 0
    blobs: int = 0  # file versions read: one per file per commit, or one per file on disk
    lines: int = 0
    candidates: int = 0
    cached: int = 0  # candidates known clean from an earlier scan
    bytes: int = 0


Pending = list[tuple[Origin, int | None, str]]


@dataclass
class Scanner:
    detector: Detector
    found: dict[tuple[str, str], Located] = field(default_factory=dict)
    dirty: dict[str, set[str]] = field(default_factory=dict)  # commit -> paths with findings
    counts: Counts = field(default_factory=Counts)
    _seen: set[int] = field(default_factory=set)
    clean_lines: set[str] | None = None  # digests of candidate lines an earlier scan found clean
    skip_paths: frozenset[str] = frozenset()  # the baseline itself: its hashes look like hex secrets
    _pending: Pending = field(default_factory=list)
    _submitted: list[tuple[Pending, Job]] = field(default_factory=list)

    @classmethod
    def inline(cls, ds: DetectSecrets) -> Scanner:
        """A scanner that detects in this process only."""
        return cls(Detector(ds, parallel=False))

    def file_added(self, origin: Origin) -> None:
        if is_env_file(origin.path):
            self._record(ENV_HIT, origin, None, "")

    def candidate(self, origin: Origin, number: int | None, raw: bytes, previous: bytes = b"") -> None:
        """A line the prefilter let through; `previous` is the line before it (for nextline pragmas)."""
        if b"allowlist" in raw and PRAGMA in raw or origin.path in self.skip_paths:
            return
        if PRAGMA_NEXT in previous:
            return
        key = hash((_file_kind(origin.path), raw))
        if key in self._seen:
            return
        self._seen.add(key)
        if len(raw) <= LONG_LINE:
            self._detect(origin, number, raw)
            return
        for start, end in candidate_windows(raw, WINDOW_RADIUS):
            window = raw[start:end]
            window_key = hash(("window", window))
            if window_key not in self._seen:
                self._seen.add(window_key)
                self._detect(origin, number, window)

    def _detect(self, origin: Origin, number: int | None, raw: bytes) -> None:
        self.counts.candidates += 1
        if self.clean_lines is not None and line_digest(origin.path, raw) in self.clean_lines:
            self.counts.cached += 1
            return
        self._pending.append((origin, number, raw.decode("utf-8", "replace").rstrip()))
        if len(self._pending) >= BATCH:
            self._submit()

    def _submit(self) -> None:
        batch, self._pending = self._pending, []
        if batch:
            self._submitted.append((batch, self.detector.submit([(o.path, text) for o, _, text in batch])))

    def finish(self) -> None:
        """Collect every batch's hits, in the order the lines were read."""
        self._submit()
        self.detector.share([job for _, job in self._submitted])
        for batch, job in self._submitted:
            for (origin, number, text), hits in zip(batch, job.result(), strict=True):
                if not hits and self.clean_lines is not None:
                    self.clean_lines.add(line_digest(origin.path, text.encode("utf-8", "surrogatepass")))
                for hit in hits:
                    self._record(hit, origin, number, text)
        self._submitted = []

    def _record(self, hit: Hit, origin: Origin, number: int | None, text: str) -> None:
        if origin.commit:
            self.dirty.setdefault(origin.commit, set()).add(origin.path)
        key = (hit.rule, hit.secret or origin.path)
        if key not in self.found:
            self.found[key] = Located(hit, origin, number, text)


def _file_kind(path: str) -> str:
    """What detect-secrets' file filters and keyword rules depend on: extension, lock file, swagger."""
    name = os.path.basename(path).lower()
    flags = ("lock" if "lock" in name or name == "go.sum" else "") + ("swagger" if "swagger" in name else "")
    return os.path.splitext(name)[1] + flags


def line_digest(path: str, raw: bytes) -> str:
    """Stable across runs (the clean-line cache); 16 hex characters, never the line itself."""
    return hashlib.blake2b(_file_kind(path).encode() + b"\0" + raw.rstrip(), digest_size=8).hexdigest()
