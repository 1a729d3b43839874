"""The line scanner every source feeds: de-duplicate, prefilter, detect, keep each secret's first place.

Sources (history, a range, the index, files on disk, logs) call `commit`, `file` and `line`; the
scanner never sees a whole file. A line already seen (same text, same file type) is skipped; a line
the prefilter rejects never reaches detect-secrets; a long line (minified bundles, notebooks) is
scanned only in windows around prefilter hits, so its cost is bounded by what can match.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from gates.report import Severity
from gates.secrets.detectors import DetectSecrets, candidate_spans, prefilter
from gates.secrets.rules import ENV_FILE_FIX, ENV_FILE_RULE, Hit, detect, is_env_file

LONG_LINE = 1000  # characters; longer lines are scanned in windows around prefilter hits
WINDOW_RADIUS = 200
PRAGMA = "allowlist secret"
PRAGMA_NEXT = "allowlist nextline secret"
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
    unique: int = 0
    candidates: int = 0
    bytes: int = 0


@dataclass
class Scanner:
    ds: DetectSecrets
    found: dict[tuple[str, str], Located] = field(default_factory=dict)
    dirty_commits: set[str] = field(default_factory=set)
    counts: Counts = field(default_factory=Counts)
    _seen: set[int] = field(default_factory=set)
    _allow_next: Origin | None = None

    def commit(self) -> None:
        self.counts.commits += 1

    def file(self, origin: Origin) -> None:
        self.counts.blobs += 1

    def file_added(self, origin: Origin) -> None:
        if is_env_file(origin.path):
            self._record(ENV_HIT, origin, None, "")

    def line(self, origin: Origin, number: int | None, text: str) -> None:
        counts = self.counts
        counts.lines += 1
        counts.bytes += len(text)
        if self._allow_next is not None:
            allowed, self._allow_next = self._allow_next == origin, None
            if allowed:
                return
        if "allowlist" in text and "pragma" in text:
            if PRAGMA_NEXT in text:
                self._allow_next = origin
            if PRAGMA in text:
                return
        key = hash((os.path.splitext(origin.path)[1], text))
        if key in self._seen:
            return
        self._seen.add(key)
        counts.unique += 1
        if len(text) > LONG_LINE:
            self._long_line(origin, number, text)
        elif prefilter().search(text):
            self._detect(origin, number, text.rstrip())

    def _long_line(self, origin: Origin, number: int | None, text: str) -> None:
        for start, end in candidate_spans(text, WINDOW_RADIUS):
            window = text[start:end]
            key = hash(("window", window))
            if key not in self._seen:
                self._seen.add(key)
                self._detect(origin, number, window)

    def _detect(self, origin: Origin, number: int | None, text: str) -> None:
        self.counts.candidates += 1
        for hit in detect(text, origin.path, self.ds):
            self._record(hit, origin, number, text)

    def _record(self, hit: Hit, origin: Origin, number: int | None, text: str) -> None:
        if origin.commit:
            self.dirty_commits.add(origin.commit)
        key = (hit.rule, hit.secret or origin.path)
        if key not in self.found:
            self.found[key] = Located(hit, origin, number, text)
