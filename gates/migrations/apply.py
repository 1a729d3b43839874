"""Apply one migration's statements to the scratch database through psql, and place any error.

psql runs a script of the statements exactly as written, with a marker echoed before each one;
on the first error it stops (ON_ERROR_STOP), so the last marker names the failing statement and
psql's `LINE n:` (relative to that statement) gives the file line. The migration runs in one
transaction unless it manages transactions itself or holds statements that cannot run in one
(CONCURRENTLY, VACUUM, ALTER TYPE … ADD VALUE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gates.migrations.database import Server
from gates.migrations.statements import Statement, concurrent

MARKER = "@@gates-statement"
_ERROR = re.compile(r"^(?:psql:[^\n]*?:\d+: )?(?:ERROR|FATAL):\s+(?:(?P<code>[0-9A-Z]{5}):\s+)?(?P<msg>.*)$", re.M)
_LINE = re.compile(r"^LINE (?P<n>\d+): (?P<text>.*)$", re.M)
_EXTRA = re.compile(r"^(?P<kind>DETAIL|HINT):\s+(?P<text>.*)$", re.M)
_NO_TRANSACTION = ("TransactionStmt", "VacuumStmt", "AlterEnumStmt", "CreatedbStmt", "AlterSystemStmt")


@dataclass(frozen=True)
class ApplyError:
    message: str
    sqlstate: str = ""
    statement: Statement | None = None
    line: int | None = None
    column: int | None = None
    detail: str = ""  # DETAIL/HINT lines from PostgreSQL

    def describe(self) -> str:
        code = f" [{self.sqlstate}]" if self.sqlstate else ""
        return f"{self.message}{code}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Applied:
    duration_s: float
    error: ApplyError | None = None
    output: str = ""
    could_not_run: bool = False  # psql or the server failed, not the SQL
    notices: str = ""  # what the server said on stderr (warnings), for the `after` block
    after_failed: bool = False  # the migration applied; the `after` block did not

    @property
    def ok(self) -> bool:
        return self.error is None and not self.could_not_run


@dataclass(frozen=True)
class Limits:
    statement_timeout: float = 300.0
    lock_timeout: float = 0.0  # 0: PostgreSQL's default (none)
    process_timeout: float = 900.0


def needs_autocommit(statements: list[Statement], wrapped: bool = False, server_major: int = 0) -> bool:
    """Whether the migration must run outside a transaction on the scratch server.

    `wrapped`: the framework runs it in a transaction. Then ALTER TYPE … ADD VALUE (allowed in one since
    PostgreSQL 12) runs in one here too, so PostgreSQL itself reports a new value used before COMMIT.
    """
    for statement in statements:
        node = statement.node
        if node is None:
            continue
        if node.kind == "AlterEnumStmt" and wrapped and server_major >= 12:
            continue
        if node.kind in _NO_TRANSACTION or concurrent(node):
            return True
    return False


def major(version: str) -> int:
    digits = re.match(r"\d+", version or "")
    return int(digits.group(0)) if digits else 0


def script(statements: list[Statement], limits: Limits, transaction: bool, after: str = "") -> str:
    lines = ["\\set ON_ERROR_STOP 1", "\\set VERBOSITY verbose", "\\set SHOW_CONTEXT never",
             "SET client_min_messages = warning;",
             f"SET statement_timeout = {int(limits.statement_timeout * 1000)};"]
    if limits.lock_timeout:
        lines.append(f"SET lock_timeout = {int(limits.lock_timeout * 1000)};")
    if transaction:
        lines.append("BEGIN;")
    for index, statement in enumerate(statements):
        if statement.kind == "meta":  # psql-only (\connect could leave the scratch database): reported, never run
            continue
        lines.append(f"\\echo {MARKER} {index}")
        if statement.kind == "copy":  # psql reads the rows that follow from the script itself, up to `\.`
            lines.append(statement.text.rstrip() + "\n")
        else:
            lines.append(statement.text.rstrip().rstrip(";") + "\n;")
    if transaction:
        lines.append(f"\\echo {MARKER} commit")
        lines.append("COMMIT;")
    if after:
        lines.append(f"\\echo {MARKER} after")
        lines.append(after)
    return "\n".join(lines) + "\n"


def apply(server: Server, database: str, statements: list[Statement], limits: Limits, after: str = "",
          wrapped: bool = False) -> Applied:
    """Apply `statements`; then, only if they all succeeded, run `after` in the same session (seeding).

    `wrapped`: the framework runs this migration in a transaction (see needs_autocommit)."""
    if not statements:
        return Applied(0.0)
    transaction = not needs_autocommit(statements, wrapped, major(server.version))
    text = script(statements, limits, transaction=transaction, after=after)
    done = server.query_script(text, database, limits.process_timeout)
    if done.ok:
        return Applied(done.duration_s, output=done.stdout, notices=done.stderr)
    markers = re.findall(rf"^{MARKER} (\S+)$", done.stdout, re.M)
    if markers and markers[-1] == "after":
        return Applied(done.duration_s, output=done.stdout, notices=done.stderr, after_failed=True)
    match = _ERROR.search(done.stderr)
    if match is None or done.timed_out:
        return Applied(done.duration_s, output=done.output, could_not_run=True,
                       error=ApplyError(f"{done.describe()}: {done.stderr.strip()[-400:]}"))
    return Applied(done.duration_s, _place(match, done.stdout, done.stderr, statements), done.output)


def _place(match: re.Match[str], stdout: str, stderr: str, statements: list[Statement]) -> ApplyError:
    markers = re.findall(rf"^{MARKER} (\d+|commit)$", stdout, re.M)
    statement = statements[int(markers[-1])] if markers and markers[-1].isdigit() else None
    extra = "; ".join(f"{m['kind'].lower()}: {m['text'].strip()}" for m in _EXTRA.finditer(stderr))
    line = column = None
    if statement is not None:
        line = statement.line
        where = _LINE.search(stderr, match.end())
        if where is not None:
            line = statement.line + int(where["n"]) - 1
            column = _caret_column(stderr, where)
    return ApplyError(match["msg"].strip(), match["code"] or "", statement, line, column, extra)


def _caret_column(stderr: str, where: re.Match[str]) -> int | None:
    after = stderr[where.end():].lstrip("\n").splitlines()
    if not after or "^" not in after[0] or where["text"].startswith("..."):
        return None
    return after[0].index("^") - len(f"LINE {where['n']}: ") + 1


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
