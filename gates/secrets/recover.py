"""Give findings restored from the cache their secret back, read again from the commit that added them.

The cache never stores a secret (only its SHA-1, masked form and redacted evidence), but two things
after the scan need the value: "is it still in HEAD?" (`git grep` by value) and Report.secrets (what
every output masks). Without it a cached re-scan would fall back to "is the file still in HEAD?" and
could say "gone from HEAD" where the first scan did not. The masked form tells the value's first
characters and length, the digest tells which substring of the line it is: one `git cat-file --batch`
for all of them, no detection.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from gates.common import git
from gates.secrets.scanner import Located

MIN_VALUE = 8  # shorter values are neither grepped in HEAD nor masked in outputs: nothing to recover
MAX_BLOB = 8 * 1024 * 1024  # a bigger file keeps the file-level answer (bounded memory)
_MASKED = re.compile(r"(?s)(.*)…\((\d+), #[0-9a-f]{4}\)")


def recover(root: Path, items: Sequence[Located]) -> list[Located]:
    """`items` with `hit.secret` filled in wherever the commit's line still yields it (else unchanged)."""
    wanted = [index for index, item in enumerate(items) if _wanted(item)]
    if not wanted:
        return list(items)
    names = sorted({f"{items[i].origin.commit}:{items[i].origin.path}" for i in wanted})
    blobs = _read_blobs(root, names)
    restored = list(items)
    for index in wanted:
        item = items[index]
        content = blobs.get(f"{item.origin.commit}:{item.origin.path}")
        value = _find(item, content) if content is not None else None
        if value is not None:
            restored[index] = replace(item, hit=replace(item.hit, secret=value))
    return restored


def _wanted(item: Located) -> bool:
    match = _MASKED.fullmatch(item.masked)
    return (not item.hit.secret and item.origin.commit is not None and item.line is not None
            and "\n" not in item.origin.path and match is not None and int(match.group(2)) >= MIN_VALUE)


def _read_blobs(root: Path, names: list[str]) -> dict[str, bytes]:
    try:
        out = git.run_git(root, "cat-file", "--batch", input="".join(f"{n}\n" for n in names).encode(), check=False)
    except (git.GitError, OSError):
        return {}
    blobs: dict[str, bytes] = {}
    at = 0
    for name in names:  # answers come in request order: "<id> blob <size>\n<data>\n" or "<name> missing\n"
        end = out.find(b"\n", at)
        if end < 0:
            break
        header = out[at:end].split()
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        if size <= MAX_BLOB:
            blobs[name] = out[at:at + size]
        at += size + 1
    return blobs


def _find(item: Located, content: bytes) -> str | None:
    assert item.line is not None
    lines = content.split(b"\n", item.line)
    if len(lines) < item.line:
        return None
    text = lines[item.line - 1].decode("utf-8", "replace")
    match = _MASKED.fullmatch(item.masked)
    assert match is not None
    prefix, length = match.group(1), int(match.group(2))
    at = text.find(prefix)
    while at >= 0:
        value = text[at:at + length]
        if len(value) == length and hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest() == item.digest:
            return value
        at = text.find(prefix, at + 1)
    return None
