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


@dataclass(frozen=True)
class Statement:
    text: str
    line: int  # 1-based line in the source file where the statement starts
    node: Any = None  # a Node (the statement's parse tree); None when it does not parse
    allowed: frozenset[str] = frozenset()
    parse_error: str = ""


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


def split(source: SqlSource) -> list[Statement]:
    """The statements of one migration, in order. An unparsable file still splits (by the scanner)."""
    import json

    import pglast
    from pglast.parser import ParseError, parse_sql_json

    sql = source.text
    data = sql.encode("utf-8")
    try:  # one parse for the whole file: slices and trees together (locations are byte offsets)
        raw = json.loads(parse_sql_json(sql)).get("stmts", [])
        pieces = []
        for item in raw:
            start = item.get("stmt_location", 0)
            stop = start + item["stmt_len"] if item.get("stmt_len") else len(data)
            begin = len(data[:start].decode("utf-8", "replace"))
            end = begin + len(data[start:stop].decode("utf-8", "replace"))
            pieces.append((slice(begin, end), wrap(item.get("stmt"))))
    except ParseError:
        try:
            slices = list(pglast.split(sql, with_parser=False, only_slices=True))
        except ParseError:
            slices = [slice(0, len(sql))] if sql.strip() else []
        pieces = [(piece, None) for piece in slices]
    statements = []
    previous_end = 0
    for piece, node in pieces:
        start = piece.start or 0
        text = sql[piece]
        if not text.strip():
            continue
        error = ""
        if node is None:
            node, error = _parse_one(text)
        stripped = text.lstrip()
        start += len(text) - len(stripped)
        allowed = frozenset(m.group(1).lower() for m in _ALLOW.finditer(sql[previous_end:piece.stop]))
        line = source.first_line + sql.count("\n", 0, start)
        statements.append(Statement(stripped, line, node, allowed, error))
        previous_end = piece.stop or len(sql)
    return statements


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
