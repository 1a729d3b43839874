"""From located secrets to Findings: redacted evidence, where it was added, and what to do.

A secret found in history that HEAD no longer contains still blocks — the commit that added it
is still fetchable — and its fix says so. Nothing here puts a full secret in a Finding: evidence is
the line with the secret masked (gates.redact.mask) and every other credential redacted, made when
the secret was found (gates.secrets.scanner.Located).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gates.common import git
from gates.report import Finding, Location
from gates.secrets.rules import ENV_FILE_RULE, HISTORY_NOTE
from gates.secrets.scanner import Located
from gates.secrets.suppress import Allow

MAX_HEAD_LOOKUPS = 200


def hashed(item: Located) -> str:
    """detect-secrets' hashed_secret for a value; for a committed .env file, of its path."""
    return item.digest


def fingerprint(item: Located) -> str:
    return hashed(item)[:16]


@dataclass
class Suppressed:
    baseline: int = 0
    allowed: int = 0


def keep(items: Iterable[Located], baseline: frozenset[str], allow: tuple[Allow, ...],
         suppressed: Suppressed) -> list[Located]:
    kept = []
    for item in items:
        if hashed(item) in baseline:
            suppressed.baseline += 1
        elif any(rule.matches(item.hit.rule, item.origin.path, fingerprint(item)) for rule in allow):
            suppressed.allowed += 1
        else:
            kept.append(item)
    return kept


@dataclass(frozen=True)
class Head:
    """What HEAD holds, for telling "still in the code" from "only in history"."""

    values: Mapping[str, list[str]]  # found value -> HEAD files that still contain it
    paths: frozenset[str]  # every file in HEAD


def in_head(root: Path, items: list[Located], memo_dir: Path | None = None) -> Head:
    """One `git grep` for the values found in history, one `git ls-tree` for the files.

    The answer depends only on HEAD's tree and what is asked, so with `memo_dir` (the history cache's
    folder) an unchanged HEAD asked the same question is answered from the last run's file.
    """
    tree = git.run_git(root, "rev-parse", "-q", "--verify", "HEAD^{tree}", check=False).decode().strip()
    if not tree:
        return Head({}, frozenset())
    # Short values ("test") would match everywhere; for those the file's presence decides.
    values = sorted({i.hit.secret for i in items
                     if i.origin.commit and len(i.hit.secret) >= 8 and "\n" not in i.hit.secret})
    values = values[:MAX_HEAD_LOOKUPS]
    asked = sorted({i.origin.path for i in items})
    memo = _HeadMemo(memo_dir, tree, values, asked) if memo_dir is not None else None
    known = memo.read() if memo is not None else None
    if known is not None:
        return known
    listed = git.run_git(root, "-c", "core.quotePath=false", "ls-tree", "-r", "-z", "--name-only", "HEAD",
                         check=False)
    paths = frozenset(p.decode("utf-8", "replace") for p in listed.split(b"\0") if p)
    where: dict[str, list[str]] = {v: [] for v in values}
    if values:
        # Patterns go on stdin, never on the command line where other users could read them.
        out = git.run_git(root, "grep", "-I", "-F", "-o", "-z", "-f", "-", "HEAD", "--",
                          input="\n".join(values).encode(), check=False)
        for record in out.split(b"\n"):
            parts = record.split(b"\0")
            if len(parts) >= 2:
                path = parts[0].decode("utf-8", "replace").removeprefix("HEAD:")
                where.setdefault(parts[-1].decode("utf-8", "replace"), []).append(path)
    head = Head(where, paths)
    if memo is not None:
        memo.write(head)
    return head


class _HeadMemo:
    """The last `in_head` answer, keyed by HEAD's tree id and the question; values appear only as SHA-1."""

    def __init__(self, directory: Path, tree: str, values: list[str], asked: list[str]) -> None:
        self.path = directory / "secrets.head.json"  # not secrets-*.json: the commit cache prunes those
        self.values = {_sha1(value): value for value in values}
        self.asked = asked
        self.key = _sha1("\0".join([tree, *sorted(self.values), "", *asked]))

    def read(self) -> Head | None:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            if document.get("key") != self.key:
                return None
            where = {self.values[digest]: list(paths) for digest, paths in document["values"].items()}
            return Head(where, frozenset(document["paths"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, head: Head) -> None:
        digests = {value: digest for digest, value in self.values.items()}
        document = {"key": self.key, "values": {digests[v]: paths for v, paths in head.values.items() if v in digests},
                    "paths": [path for path in self.asked if path in head.paths]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(document), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            return  # costs a `git grep` next time, nothing else


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def to_finding(item: Located, head: Head | None) -> Finding:
    """`head` is given for history and range scans: their findings say when HEAD no longer has them."""
    hit, origin = item.hit, item.origin
    if hit.rule == ENV_FILE_RULE:
        message = f"committed .env file {origin.path}"
    else:
        message = f"{hit.title} ({item.masked}) in {origin.path}"
        if item.line is not None:
            message += f":{item.line}"
    if origin.commit:
        message += f", added in {origin.commit[:10]}"
        if origin.date:
            message += f" on {origin.date}"
    fix = hit.fix
    gone = _gone_from_head(item, head) if origin.commit and head is not None else ""
    if gone:
        message += f" — {gone}, still in history"
        fix = f"{HISTORY_NOTE}. {fix}"
    message += f" [fingerprint {fingerprint(item)}]"
    return Finding(hit.rule, message, hit.severity, Location(origin.path, item.line, origin.commit),
                   evidence=item.evidence, fix=fix)


def _gone_from_head(item: Located, head: Head) -> str:
    """Why HEAD no longer has it ("" when it still does): by value where known, else by file."""
    secret = item.hit.secret
    if item.hit.rule != ENV_FILE_RULE and secret in head.values:
        return "" if head.values[secret] else "no longer in HEAD"
    return "" if item.origin.path in head.paths else f"{item.origin.path} is gone from HEAD"
