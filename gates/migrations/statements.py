"""Split a migration's SQL into statements with file lines, using PostgreSQL's own parser (pglast).

A statement keeps its text exactly as written (so PostgreSQL's error positions map back to the
file), the line it starts on, its parse tree when it parses, and the `-- gates: allow <rule>`
comments written on the lines just above it or inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gates.migrations.discover import SqlSource

_ALLOW = re.compile(r"--\s*gates:\s*allow\s+([a-z0-9-]+)(.*)$", re.I | re.M)


_META = re.compile(r"^[ \t]*\\[A-Za-z!?].*$", re.M)  # a psql meta-command line (\connect, \set, \i …)
_COPY_STDIN = re.compile(r"^[ \t]*COPY\b[^;]*\bFROM\s+stdin\b[^;]*;[ \t\r]*$", re.I | re.M)
_COPY_END = re.compile(r"^\\\.[ \t]*\r?$", re.M)
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)


@dataclass(frozen=True)
class Statement:
    text: str
    line: int  # 1-based line in the source file where the statement starts
    node: Any = None  # a Node (the statement's parse tree); None when it does not parse
    allowed: frozenset[str] = frozenset()
    parse_error: str = ""
    kind: str = "sql"  # "sql"; "meta": a psql meta-command line (never run); "copy": COPY FROM stdin with its data



class Node:
    """A parse-tree node read from libpg_query's JSON (far cheaper than pglast's Python objects).

    `node.kind` is the node type (`AlterTableStmt`); fields read as attributes (`def_` for `def`);
    enums are their names (`"AT_DropColumn"`); absent fields (false, empty, zero) read as None.
    """

    __slots__ = ("kind", "fields")

    def __init__(self, kind: str, fields: dict[str, Any]) -> None:
        self.kind = kind
        self.fields = fields

    def __getattr__(self, name: str) -> Any:
        return wrap(self.fields.get("def" if name == "def_" else name))

    def __repr__(self) -> str:
        return f"<{self.kind} {self.fields!r:.80}>"


def wrap(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key[:1].isupper() and isinstance(inner, dict):
                return Node(key, inner)
        return Node("", value)
    if isinstance(value, list):
        return tuple(wrap(item) for item in value)
    return value


def _blank(text: str) -> str:
    """`text` as spaces, newlines kept: offsets and line numbers of everything else stay the same."""
    return re.sub(r"[^\n]", " ", text)


def _psql_only(sql: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The SQL with psql's own syntax blanked: meta-command lines and the data of `COPY … FROM stdin`.

    Returns the blanked text and the (start, end, kind) spans taken out: "meta" lines, and "copy" data
    (everything after a `COPY … FROM stdin;` line up to and including its `\\.` line).
    """
    if "\\" not in sql:
        return sql, []
    spans: list[tuple[int, int, str]] = []
    position = 0
    for copy in _COPY_STDIN.finditer(sql):
        if copy.start() < position:
            continue
        data_start = copy.end() + 1
        end = _COPY_END.search(sql, data_start)
        data_end = end.end() if end else len(sql)
        spans.append((data_start, data_end, "copy"))
        position = data_end
    copies, index = list(spans), 0  # in order: one pass over them (a dump may hold thousands of \N rows)
    for meta in _META.finditer(sql):
        while index < len(copies) and copies[index][1] <= meta.start():
            index += 1
        if index < len(copies) and copies[index][0] <= meta.start():
            continue  # a data row of a COPY block
        spans.append((meta.start(), meta.end(), "meta"))
    spans.sort()
    if not spans:
        return sql, []
    parts, last = [], 0
    for start, stop, _ in spans:
        parts += [sql[last:start], _blank(sql[start:stop])]
        last = stop
    parts.append(sql[last:])
    return "".join(parts), spans


def split(source: SqlSource) -> list[Statement]:
    """The statements of one migration, in order. An unparsable file still splits (by the scanner).

    psql's own syntax is kept apart: a meta-command line (`\\connect`, `\\set`) becomes a "meta"
    statement that is reported and never run (it could leave the scratch database), and the data
    of `COPY … FROM stdin` stays with its COPY statement ("copy").
    """
    import json

    import pglast
    from pglast.parser import ParseError, parse_sql_json

    original = sql = source.text
    spans: list[tuple[int, int, str]] = []
    try:  # one parse for the whole file: slices and trees together (locations are byte offsets)
        try:
            raw = json.loads(parse_sql_json(sql)).get("stmts", [])
        except ParseError:
            # only a file that is not plain SQL is searched for psql syntax (a backslash line inside a
            # string or a function body of a valid file is left alone)
            sql, spans = _psql_only(original)
            if not spans:
                raise
            raw = json.loads(parse_sql_json(sql)).get("stmts", [])
        pieces = _char_slices(sql, raw)
    except ParseError:
        try:
            slices = list(pglast.split(sql, with_parser=False, only_slices=True))
        except ParseError:
            slices = [slice(0, len(sql))] if sql.strip() else []
        end = slices[-1].stop if slices else 0
        tail = sql[end:]
        if tail.strip(" \t\r\n;"):  # the scanner drops an unterminated tail it cannot read: keep it
            slices.append(slice(end + len(tail) - len(tail.lstrip(" \t\r\n;")), len(sql)))
        pieces = [(piece, None) for piece in slices]
    copies = {start: stop for start, stop, kind in spans if kind == "copy"}
    statements: list[tuple[int, Statement]] = []
    previous_end = 0
    lines = _LineCounter(original)
    for piece, node in pieces:
        start, stop = piece.start or 0, piece.stop if piece.stop is not None else len(sql)
        text = sql[start:stop]
        if not text.strip():
            continue
        error = ""
        if node is None:
            node, error = _parse_one(text)
            if node is None and not error:  # only comments (the scanner split a file that does not parse)
                continue
        lead = _LEADING.match(text)  # whitespace and comments (the scanner's pieces keep them)
        stripped = text[lead.end():] if lead and lead.end() < len(text) else text.lstrip()
        start += len(text) - len(stripped)
        kind = "sql"
        after = _copy_data_after(sql, stop, copies)
        if after is not None and node is not None and node.kind == "CopyStmt":
            stripped, kind, stop = original[start:after], "copy", after
        allowed = frozenset(m.group(1).lower() for m in _ALLOW.finditer(original[previous_end:stop]))
        line = source.first_line + lines.line_of(start)
        statements.append((start, Statement(stripped, line, node, allowed, error, kind)))
        previous_end = stop
    meta_lines = _LineCounter(original)
    for start, stop, kind in spans:
        if kind == "meta":
            line = source.first_line + meta_lines.line_of(start)
            statements.append((start, Statement(original[start:stop].strip(), line, kind="meta")))
    return [statement for _, statement in sorted(statements, key=lambda pair: pair[0])]


def _char_slices(sql: str, raw: list[dict[str, Any]]) -> list[tuple[slice, Any]]:
    """Statement slices in characters (libpg_query gives byte offsets), in one pass over the text."""
    data = sql.encode("utf-8")
    ascii_only = len(data) == len(sql)
    pieces = []
    byte_at = char_at = 0
    for item in raw:
        start = item.get("stmt_location", 0)
        stop = start + item["stmt_len"] if item.get("stmt_len") else len(data)
        if ascii_only:
            begin, end = start, stop
        else:  # statements come in order: decode only what lies between the last position and this one
            begin = char_at + len(data[byte_at:start].decode("utf-8", "replace"))
            end = begin + len(data[start:stop].decode("utf-8", "replace"))
            byte_at, char_at = stop, end
        pieces.append((slice(begin, end), wrap(item.get("stmt"))))
    return pieces


def _copy_data_after(sql: str, stop: int, copies: dict[int, int]) -> int | None:
    """Where the data block right after a COPY statement ending at `stop` ends (past its `\\.` line)."""
    for start, end in copies.items():
        if start >= stop and not sql[stop:start].strip(" \t\r\n;"):
            return end
    return None


class _LineCounter:
    """Line numbers of increasing offsets, counted incrementally (a huge file stays linear)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.lines = text, 0, 0

    def line_of(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.lines = 0, 0
        self.lines += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.lines


def concurrent(node: Any) -> bool:
    """CONCURRENTLY: a field on CREATE/DROP INDEX, an option (`params`) on REINDEX since PostgreSQL 14's grammar."""
    if node is None:
        return False
    if node.concurrent:
        return True
    return any((getattr(p, "defname", "") or "").lower() == "concurrently" for p in node.params or ())


def _parse_one(text: str) -> tuple[Any, str]:
    import json

    from pglast.parser import ParseError, parse_sql_json

    try:
        raw = json.loads(parse_sql_json(text)).get("stmts", [])
    except ParseError as exc:
        return None, str(exc.args[0]) if exc.args else str(exc)
    return (wrap(raw[0].get("stmt")) if raw else None), ""


def parse_error_line(statement: Statement) -> int:
    """The file line of a parse error inside `statement` (pglast reports a character index)."""
    import pglast
    from pglast.parser import ParseError

    try:
        pglast.parse_sql(statement.text)
    except ParseError as exc:
        index = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        return statement.line + statement.text.count("\n", 0, index)
    return statement.line
