"""The scanner every source feeds: de-duplicate candidate lines, detect, keep each secret's first place.

Readers (gates.secrets.patch) find candidate lines in bulk with the prefilter and hand only those
over, with their origin (path, commit, author date) and line number. A candidate line already seen
(same bytes, same kind of file) is skipped; a long line (minified bundles, notebooks) is scanned
only in windows around prefilter hits, so its cost is bounded by what can match.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gates.redact import mask, redact
from gates.report import Severity
from gates.secrets.detectors import DetectSecrets, keyword_filename
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
    """A secret at the first place it was added, in the form findings and the cache need.

    `digest` is detect-secrets' hashed_secret (SHA-1 of the value; of "env-file:<path>" for a .env
    file), `masked` the value as outputs show it, `evidence` its line with every secret on it masked.
    A finding restored from the cache has no `hit.secret`: nothing here needs it any more.
    """

    hit: Hit
    origin: Origin
    line: int | None
    digest: str
    masked: str = ""
    evidence: str | None = None

    @classmethod
    def of(cls, hit: Hit, origin: Origin, line: int | None, text: str, on_line: Iterable[str] = ()) -> Located:
        value = hit.secret if hit.rule != ENV_FILE_RULE else f"{ENV_FILE_RULE}:{origin.path}"
        digest = hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()
        masked = mask(hit.secret) if hit.secret else ""
        return cls(hit, origin, line, digest, masked, _evidence(hit.secret, text, {hit.secret, *on_line}))

    def to_json(self) -> dict[str, object]:
        hit, origin = self.hit, self.origin
        return {"rule": hit.rule, "title": hit.title, "severity": hit.severity.value, "fix": hit.fix,
                "kind": hit.kind, "path": origin.path, "commit": origin.commit, "date": origin.date,
                "line": self.line, "digest": self.digest, "masked": self.masked, "evidence": self.evidence}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Located:
        hit = Hit(str(data["rule"]), str(data["title"]), Severity(data["severity"]), "", str(data["fix"]),
                  str(data["kind"]))
        origin = Origin(str(data["path"]), data.get("commit"), data.get("date"))
        line = data.get("line")
        return cls(hit, origin, int(line) if line is not None else None, str(data["digest"]),
                   str(data.get("masked") or ""), data.get("evidence"))


EVIDENCE_WIDTH = 60  # characters kept on each side of the secret


def _evidence(secret: str, text: str, known: set[str]) -> str | None:
    if not secret or not text:
        return None
    at = text.find(secret)
    start = max(0, at - EVIDENCE_WIDTH) if at >= 0 else 0
    end = min(len(text), at + len(secret) + EVIDENCE_WIDTH) if at >= 0 else 2 * EVIDENCE_WIDTH
    return redact(text[start:end].strip(), {value for value in known if value})


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
    by_commit: dict[str, list[Located]] = field(default_factory=dict)  # what each commit added (for the cache)
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
            self._record(Located.of(ENV_HIT, origin, None, ""))

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
                values = [hit.secret for hit in hits]
                for hit in hits:
                    self._record(Located.of(hit, origin, number, text, values))
        self._submitted = []

    def restore(self, items: Iterable[Located]) -> None:
        """Findings an earlier scan made in commits it has no need to read again."""
        for item in items:
            self._record(item)

    def _record(self, item: Located) -> None:
        if item.origin.commit:
            self.by_commit.setdefault(item.origin.commit, []).append(item)
        key = (item.hit.rule, item.digest)
        if key not in self.found:
            self.found[key] = item


def _file_kind(path: str) -> str:
    """What detect-secrets' file filters and keyword rules depend on: extension, lock file, swagger."""
    name = os.path.basename(keyword_filename(path)).lower()
    flags = ("lock" if "lock" in name or name == "go.sum" else "") + ("swagger" if "swagger" in name else "")
    return os.path.splitext(name)[1] + flags


def line_digest(path: str, raw: bytes) -> str:
    """Stable across runs (the clean-line cache); 16 hex characters, never the line itself."""
    return hashlib.blake2b(_file_kind(path).encode() + b"\0" + raw.rstrip(), digest_size=8).hexdigest()
