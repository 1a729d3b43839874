"""Read a `git log -p -U0` / `git diff -U0` stream and hand added lines to the scanner.

The stream arrives in pieces of at most 64 KB (gates.common.git.stream): a piece without a
newline is continued by the next, and a continued added line is scanned piece by piece with a
short overlap so a key cut at a piece boundary is still seen whole. Hunk headers give the new line
numbers and how many lines follow, so a content line that looks like a header (`+++ b/x`) is never
mistaken for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gates.secrets.scanner import Origin, Scanner

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
OVERLAP = 256


def unquote_path(raw: bytes) -> str:
    """A path as git prints it: C-quoted when it holds special characters."""
    text = raw.rstrip(b"\n")
    if text.startswith(b'"') and text.endswith(b'"'):
        try:
            text = text[1:-1].decode("unicode_escape").encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):
            text = text[1:-1]
    return text.decode("utf-8", "replace")


def _side_path(raw: bytes, prefix: bytes) -> str:
    path = unquote_path(raw)
    strip = prefix.decode()
    return path[len(strip):] if path.startswith(strip) else path


def _header_path(line: bytes) -> str:
    """The new-side path from `diff --git a/X b/X` (used for files without a +++ line)."""
    body = line[len(b"diff --git "):].rstrip(b"\n")
    at = body.rfind(b" b/")
    if body.endswith(b'"'):
        at = body.rfind(b' "b/')
    return _side_path(body[at + 1:], b"b/") if at >= 0 else unquote_path(body)


def feed(pieces: Iterable[bytes], scanner: Scanner, commit: str | None = None, date: str | None = None) -> None:
    """Parse one patch stream into scanner calls (`commit`/`date` for a stream without headers)."""
    origin: Origin | None = None
    old_left = new_left = 0
    number = 0
    partial = False  # the previous piece did not end its line
    in_added = False
    tail = ""
    for piece in pieces:
        if partial:
            complete = piece.endswith(b"\n")
            if in_added and origin is not None:
                text = piece.decode("utf-8", "replace").rstrip("\r\n")
                scanner.line(origin, number, tail + text)
                tail = text[-OVERLAP:]
            partial = not complete
            if complete and in_added:
                new_left -= 1
                number += 1
                in_added = False
            continue
        partial = not piece.endswith(b"\n")
        if new_left or old_left:
            first = piece[:1]
            if first == b"+":
                text = piece[1:].decode("utf-8", "replace").rstrip("\r\n")
                if origin is not None:
                    scanner.line(origin, number, text)
                if partial:
                    in_added, tail = True, text[-OVERLAP:]
                else:
                    new_left -= 1
                    number += 1
                continue
            if first == b"-":
                old_left -= 1
                continue
            if first == b"\\":
                continue
            old_left = new_left = 0  # malformed hunk: fall through to header parsing
        if piece.startswith(b"\x00"):
            sha, _, when = piece[1:].strip().partition(b" ")
            commit, date = sha.decode(), when.decode() or None
            scanner.commit()
            origin = None
        elif piece.startswith(b"diff --git "):
            origin = Origin(_header_path(piece), commit, date)
            scanner.file(origin)
        elif piece.startswith(b"new file mode") and origin is not None:
            scanner.file_added(origin)
        elif piece.startswith(b"+++ ") and origin is not None:
            if piece.startswith(b"+++ /dev/null"):
                origin = None
            else:
                origin = Origin(_side_path(piece[4:], b"b/"), commit, date)
        elif piece.startswith(b"@@ "):
            match = _HUNK.match(piece)
            if match:
                old_left = int(match.group(1)) if match.group(1) is not None else 1
                new_left = int(match.group(3)) if match.group(3) is not None else 1
                number = int(match.group(2))
