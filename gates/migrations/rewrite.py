"""Did an ALTER COLUMN TYPE (or ADD COLUMN with a default) rewrite the table? Ask the server that just ran it.

Whether a type change rewrites depends on the old type and the PostgreSQL version (varchar(n) to
varchar(m > n) or text, numeric(p, s) to numeric(p' > p, s), timestamp to timestamptz under a UTC
time zone on 12+… are metadata-only), and the static rule cannot see the old type, nor whether a
function a new column's default calls is volatile. A rewrite gives
the table a new file (`pg_class.relfilenode`), so the gate reads it before and after applying the
migration: such a finding whose table kept its file is withdrawn, and the check says so; a
"to text/varchar" warning whose table got a new file becomes the error it is.
"""

from __future__ import annotations

from dataclasses import replace

from gates.migrations.database import Server
from gates.report import Finding, Severity

# Rules whose harm is the rewrite itself: withdrawn when the table kept its file
TYPE_RULES = frozenset({"alter-column-type", "alter-column-type-text", "add-column-volatile-default",
                        "add-column-generated"})


def tables_of(pairs: list[tuple[Finding, str]]) -> set[str]:
    """The tables of the type-change findings (`pairs`: finding, table)."""
    return {table for finding, table in pairs if finding.rule in TYPE_RULES and table}


def files(server: Server, database: str, tables: set[str]) -> dict[str, str]:
    """relfilenode per table name (plain tables only: a partitioned parent has no file of its own)."""
    if not tables:
        return {}
    names = ", ".join("'" + name.replace("'", "''") + "'" for name in sorted(tables))
    done = server.query(f"SELECT relname, relfilenode FROM pg_class WHERE relkind = 'r' AND relname IN ({names});",
                        database)
    if not done.ok:
        return {}
    result: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, _, node = line.partition("|")
        if name in result:  # the same name in two schemas: cannot tell which one changed
            result[name] = ""
        else:
            result[name] = node
    return result


def without_rewrites(pairs: list[tuple[Finding, str]], before: dict[str, str],
                     after: dict[str, str]) -> tuple[list[Finding], list[str]]:
    """The findings, minus type changes whose table kept its file; and those tables."""
    kept: list[Finding] = []
    no_rewrite: list[str] = []
    for finding, table in pairs:
        old, new = before.get(table), after.get(table)
        if finding.rule in TYPE_RULES and old and old == new:
            no_rewrite.append(table)
            continue
        if finding.rule == "alter-column-type-text" and old and new and old != new:
            # "no rewrite if the old type is textual" did not hold (text -> varchar(n), a shorter varchar…)
            finding = replace(finding, rule="alter-column-type", severity=Severity.ERROR,
                              message=f"{finding.message}; measured: PostgreSQL rewrote the table")
        kept.append(finding)
    return kept, sorted(set(no_rewrite))
