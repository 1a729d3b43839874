"""Read `git log -p -U0` / `git diff -U0` output (or a plain file) in bulk and hand candidates to the scanner.

Python never walks the stream line by line: each block of complete lines (about 1 MB) is searched
with the prefilter at C speed, and only the lines around its hits are located — which file, which
commit, which new line number (from the nearest hunk header) — and passed on. Counts (commits,
blobs, added lines) are byte counts of header markers. A line longer than the block size (a
minified bundle) is read in pieces and scanned in windows, so memory stays bounded.

Commit headers are `\\0<sha> <author date>` (`--format=%x00%H %aI`), which content lines (always
starting with +, - or space) can never look like.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable

from gates.secrets.prefilter import candidate_positions, candidate_windows
from gates.secrets.scanner import WINDOW_RADIUS, Origin, Scanner

BLOCK = 1024 * 1024  # a line longer than this is read in pieces
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)")
_NEW_ENV = re.compile(rb"\ndiff --git [^\n]*\.env[^\n]*\n(?:similarity[^\n]*\n|rename[^\n]*\n)*new file mode")
_PLUS = b"\n+"


def unquote_path(raw: bytes) -> str:
    """A path as git prints it: C-quoted when it holds special characters."""
    text = raw.rstrip(b"\n")
    if text.startswith(b'"') and text.endswith(b'"'):
        try:
            text = text[1:-1].decode("unicode_escape").encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):
            text = text[1:-1]
    return text.decode("utf-8", "replace")


def header_path(line: bytes) -> str:
    """The new-side path of `diff --git a/X b/Y`."""
    body = line.removeprefix(b"diff --git ").rstrip(b"\n")
    at = body.rfind(b' "b/') if body.endswith(b'"') else body.rfind(b" b/")
    path = unquote_path(body[at + 1:]) if at >= 0 else unquote_path(body)
    return path[2:] if path.startswith("b/") else path


PEM_HEADER_END = b"PRIVATE KEY-----"
KEY_BODY = 64  # bytes of a PEM key's first body line kept with its header


def with_key_body(header: bytes, following: bytes) -> bytes:
    """A PEM header line with the start of the key's body.

    Every RSA key's header reads the same; alone it would make all private keys in a repository one
    secret — reported once, and suppressed together by one baseline entry. The body tells them apart.
    """
    body = following.strip()[:KEY_BODY]
    if not body or body.startswith(b"-----") or b":" in body:  # Proc-Type/DEK-Info lines of encrypted keys
        return header
    return header.rstrip(b"\r") + b"\n" + body


class _Blocks:
    """Cut a byte stream into blocks of whole lines; overlong lines come out as `long` pieces."""

    def __init__(self) -> None:
        self.buffer = b""
        self.in_long = False

    def split(self, chunk: bytes) -> Iterable[tuple[str, bytes]]:
        self.buffer += chunk
        while self.buffer:
            if self.in_long:
                end = self.buffer.find(b"\n")
                if end < 0:
                    if len(self.buffer) < BLOCK:
                        return
                    piece, self.buffer = self.buffer, b""
                    yield "long", piece
                    return
                piece, self.buffer, self.in_long = self.buffer[:end], self.buffer[end + 1:], False
                yield "long-end", piece
                continue
            cut = self.buffer.rfind(b"\n")
            if cut < 0:
                if len(self.buffer) < BLOCK:
                    return
                piece, self.buffer, self.in_long = self.buffer, b"", True
                yield "long-start", piece
                return
            block, self.buffer = self.buffer[: cut + 1], self.buffer[cut + 1:]
            yield "block", block

    def rest(self) -> Iterable[tuple[str, bytes]]:
        if self.buffer:
            yield ("long-end" if self.in_long else "block"), self.buffer + (b"" if self.in_long else b"\n")
        self.buffer = b""


class _Marks:
    """Where the block's commit, file and hunk headers are, found once per block (not per candidate)."""

    def __init__(self, data: bytes) -> None:
        self.headers = [m.start() for m in re.finditer(rb"\ndiff --git ", data)]
        self.hunks = [m.start() for m in re.finditer(rb"\n@@ ", data)]
        self.commits = [m.start() for m in re.finditer(rb"\n\x00", data)]

    @staticmethod
    def _last(positions: list[int], before: int) -> int:
        at = bisect.bisect_left(positions, before)
        return positions[at - 1] if at else -1

    def before(self, position: int) -> tuple[int, int, int]:
        """The nearest diff header, hunk header and commit header before `position` (-1: none)."""
        return (self._last(self.headers, position), self._last(self.hunks, position),
                self._last(self.commits, position))


class _BlockReader:
    """Feeds a byte stream to `_dispatch` as whole blocks and over-long pieces (what `_Blocks` cuts)."""

    def feed(self, chunks: Iterable[bytes]) -> None:
        blocks = _Blocks()
        for chunk in chunks:
            for kind, data in blocks.split(chunk):
                self._dispatch(kind, data)
        for kind, data in blocks.rest():
            self._dispatch(kind, data)

    def _dispatch(self, kind: str, data: bytes) -> None:
        raise NotImplementedError


class PatchReader(_BlockReader):
    def __init__(self, scanner: Scanner, on_commits: Callable[[int], None] | None = None) -> None:
        self.scanner = scanner
        self.on_commits = on_commits  # progress: called with the number of commit headers in each block
        self.commit: str | None = None
        self.date: str | None = None
        self.path = ""
        self.hunk: int | None = None  # new-side line number of the next added line
        self.long: tuple[Origin, int] | None = None  # an added line being read in pieces
        self.tail = b""

    def _dispatch(self, kind: str, data: bytes) -> None:
        if kind == "block":
            self._block(b"\n" + data)
            return
        if kind == "long-start":
            self.tail = b""
            self.long = None
            if data[:1] == b"+" and self.hunk is not None:
                self.long = (Origin(self.path, self.commit, self.date), self.hunk)
                self.scanner.counts.lines += 1
            data = data[1:]
        if self.long is not None:
            origin, number = self.long
            piece = self.tail + data
            for start, end in candidate_windows(piece, WINDOW_RADIUS):
                self.scanner.candidate(origin, number, piece[start:end])
            self.tail = data[-256:]
        if kind == "long-end":
            if self.long is not None and self.hunk is not None:
                self.hunk += 1
            self.long = None

    def _block(self, data: bytes) -> None:
        counts, scanner = self.scanner.counts, self.scanner
        commits = data.count(b"\n\x00")
        counts.commits += commits
        if commits and self.on_commits is not None:
            self.on_commits(commits)
        counts.blobs += data.count(b"\ndiff --git ")
        counts.lines += data.count(_PLUS) - data.count(b"\n+++ ")
        counts.bytes += len(data)
        for env in _NEW_ENV.finditer(data):
            line_end = data.find(b"\n", env.start() + 1)
            commit, date = self._commit_at(data, env.start())
            scanner.file_added(Origin(header_path(data[env.start() + 1:line_end]), commit, date))
        starts = sorted({data.rfind(b"\n", 0, position) + 1 for position in candidate_positions(data)})
        if not starts:
            self._carry(data)
            return
        marks = _Marks(data)
        last: tuple[int, int, int] = (-2, 0, 0)  # (hunk, line start, its number) of the previous candidate
        for start in starts:
            if data[start:start + 1] != b"+" or self._is_header(data, start):
                continue
            header, hunk, commit_at = marks.before(start)
            if hunk > header:
                if hunk == last[0]:  # count only from the previous candidate of the same hunk
                    number = last[2] + 1 + data.count(_PLUS, last[1], start)
                else:
                    hunk_header = _HUNK.match(data, hunk + 1)
                    if hunk_header is None:
                        continue
                    number = int(hunk_header.group(1)) + data.count(_PLUS, hunk, start)
            elif header < 0 and self.hunk is not None:
                if hunk == last[0]:
                    number = last[2] + 1 + data.count(_PLUS, last[1], start)
                else:
                    number = self.hunk + data.count(_PLUS, 0, start)
            else:
                continue
            last = (hunk, start, number)
            path = header_path(data[header + 1: data.find(b"\n", header + 1)]) if header >= 0 else self.path
            commit, date = self._commit_from(data, commit_at)
            end = data.find(b"\n", start)
            previous = data[data.rfind(b"\n", 0, start - 1) + 1: start - 1]
            raw = data[start + 1:end]
            if raw.rstrip().endswith(PEM_HEADER_END):
                following = data[end + 1: data.find(b"\n", end + 1)]
                raw = with_key_body(raw, following[1:] if following.startswith(b"+") else b"")
            scanner.candidate(Origin(path, commit, date), number, raw, previous)
        self._carry(data)

    @staticmethod
    def _is_header(data: bytes, start: int) -> bool:
        if not data.startswith(b"+++ ", start):
            return False
        previous = data.rfind(b"\n", 0, start - 1) + 1
        return data.startswith(b"--- ", previous)

    def _commit_at(self, data: bytes, position: int) -> tuple[str | None, str | None]:
        return self._commit_from(data, data.rfind(b"\n\x00", 0, position))

    def _commit_from(self, data: bytes, at: int) -> tuple[str | None, str | None]:
        if at < 0:
            return self.commit, self.date
        sha, _, when = data[at + 2: data.find(b"\n", at + 1)].partition(b" ")
        return sha.decode(), when.decode() or None

    def _carry(self, data: bytes) -> None:
        """Remember where the block ended: commit, file, and the next added line's number."""
        self.commit, self.date = self._commit_at(data, len(data))
        header = data.rfind(b"\ndiff --git ")
        if header >= 0:
            self.path = header_path(data[header + 1: data.find(b"\n", header + 1)])
        hunk = data.rfind(b"\n@@ ")
        if hunk > header:
            match = _HUNK.match(data, hunk + 1)
            self.hunk = int(match.group(1)) + data.count(_PLUS, hunk) if match else None
        elif header >= 0 or data.rfind(b"\n\x00") >= 0:
            self.hunk = None
        elif self.hunk is not None:
            self.hunk += data.count(_PLUS)


class FileReader(_BlockReader):
    """A plain file (build output, a log) as candidate lines with their line numbers."""

    def __init__(self, scanner: Scanner, origin: Origin) -> None:
        self.scanner, self.origin = scanner, origin
        self.number = 1  # line number at the start of the next block
        self.tail = b""

    def _dispatch(self, kind: str, data: bytes) -> None:
        scanner = self.scanner
        if kind != "block":
            piece = self.tail + data
            for start, end in candidate_windows(piece, WINDOW_RADIUS):
                scanner.candidate(self.origin, self.number, piece[start:end])
            self.tail = b"" if kind == "long-end" else data[-256:]
            if kind == "long-end":
                self.number += 1
                scanner.counts.lines += 1
            return
        data = b"\n" + data
        scanner.counts.lines += data.count(b"\n") - 1
        scanner.counts.bytes += len(data)
        counted, number = 0, self.number - 1  # newlines before `counted`, and that line's number
        for start in sorted({data.rfind(b"\n", 0, p) + 1 for p in candidate_positions(data)}):
            number += data.count(b"\n", counted, start)
            counted = start
            end = data.find(b"\n", start)
            previous = data[data.rfind(b"\n", 0, start - 1) + 1: start - 1] if start > 1 else b""
            raw = data[start:end].rstrip(b"\r")
            if raw.rstrip().endswith(PEM_HEADER_END):
                raw = with_key_body(raw, data[end + 1: data.find(b"\n", end + 1)])
            scanner.candidate(self.origin, number, raw, previous)
        self.number += data.count(b"\n") - 1
