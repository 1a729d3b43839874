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
    node: Any = None  # pglast AST node (the statement inside RawStmt); None when it does not parse
    allowed: frozenset[str] = frozenset()
    parse_error: str = ""


def split(source: SqlSource) -> list[Statement]:
    """The statements of one migration, in order. An unparsable file still splits (by the scanner)."""
    import pglast
    from pglast.parser import ParseError

    sql = source.text
    try:
        slices = list(pglast.split(sql, with_parser=True, only_slices=True))
    except ParseError:
        try:
            slices = list(pglast.split(sql, with_parser=False, only_slices=True))
        except ParseError:
            slices = [slice(0, len(sql))] if sql.strip() else []
    statements = []
    previous_end = 0
    for piece in slices:
        start = piece.start or 0
        text = sql[piece]
        if not text.strip():
            continue
        node, error = _parse_one(text)
        allowed = frozenset(m.group(1).lower() for m in _ALLOW.finditer(sql[previous_end:piece.stop]))
        line = source.first_line + sql.count("\n", 0, start)
        statements.append(Statement(text, line, node, allowed, error))
        previous_end = piece.stop or len(sql)
    return statements


def _parse_one(text: str) -> tuple[Any, str]:
    import pglast
    from pglast.parser import ParseError

    try:
        raw = pglast.parse_sql(text)
    except ParseError as exc:
        return None, str(exc.args[0]) if exc.args else str(exc)
    return (raw[0].stmt if raw else None), ""


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
