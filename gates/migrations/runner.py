"""Check one migration set on the scratch database: apply each migration in order, lint it, prove the down path.

One Check per migration (applied or not, with its lint findings and `duration_ms`), then one
"down path" Check where the framework has down migrations: every down in reverse order, then every
up again — a down that fails, or an up that no longer applies after its down, is a finding.
"""

from __future__ import annotations

import fnmatch
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from gates.migrations import rewrite
from gates.migrations.apply import Applied, ApplyError, Limits, apply, major, relative
from gates.migrations.database import Server, create_scratch, drop_scratch
from gates.migrations.discover import Migration, MigrationSet, SqlSource
from gates.migrations.options import Allow
from gates.migrations.rules import EARLIER_IN_RUN, History, Hit, lint
from gates.migrations.seed import SEED_SQL, seed
from gates.migrations.seed import parse as parse_seed
from gates.migrations.shims import stub_extensions
from gates.migrations.statements import Statement, split
from gates.redact import mask
from gates.report import Check, Figure, Finding, Location, Severity, Status, judge

MISSING_OBJECT = frozenset({"42P01", "3F000", "42883", "42704"})  # undefined table/schema/function/object


@dataclass
class SetRun:
    migration_set: MigrationSet
    root: Path
    limits: Limits
    allow: tuple[Allow, ...] = ()
    schema: Path | None = None
    available: frozenset[str] = frozenset()  # extensions the server has
    seed: bool = True
    history: History = field(default_factory=History)  # what earlier migrations established, for the rules
    seeded: set[str] = field(default_factory=set)
    unseeded: dict[str, str] = field(default_factory=dict)  # table -> why it could not be seeded
    stubbed: set[str] = field(default_factory=set)
    base: tuple[Migration, ...] = ()  # --from: already applied in production, applied first
    base_label: str = ""
    edited: tuple[Migration, ...] = ()
    statements: int = 0
    findings: int = 0
    applied: list[Migration] = field(default_factory=list)

    @property
    def group(self) -> str:
        return self.migration_set.framework

    def name(self, what: str) -> str:
        folder = relative(self.migration_set.root, self.root)
        return what if folder == "." else f"{folder}/{what}"

    def location(self, source: SqlSource, line: int | None = None, column: int | None = None) -> Location:
        if source.generated:  # lines of generated SQL are not the file's
            return Location(relative(source.path, self.root))
        return Location(relative(source.path, self.root), line, column=column)


def check_set(server: Server, run: SetRun, prelude: list[tuple[str, SqlSource]]) -> list[Check]:
    database = create_scratch(server)
    listed = server.query("SELECT name FROM pg_available_extensions;", database)
    run.available = frozenset(listed.stdout.split()) if listed.ok else frozenset()
    try:
        checks = _prepare(server, database, run, prelude)
        if run.base and all(c.status is Status.PASSED for c in checks):
            checks.append(_apply_base(server, database, run))
        checks += [_edited(run, m) for m in run.edited]
        if all(c.status is not Status.ERROR for c in checks):
            checks += _apply_all(server, database, run)
        else:
            checks += [_not_applied(run, m, "not applied: the shim, baseline or base did not apply")
                       for m in run.migration_set.migrations]
        if run.migration_set.has_down:
            checks.append(_down_path(server, database, run))
        return checks
    finally:
        drop_scratch(server, database)


def _prepare(server: Server, database: str, run: SetRun, prelude: list[tuple[str, SqlSource]]) -> list[Check]:
    checks = []
    for label, source in prelude:
        statements, stubbed = stub_extensions(split(source), run.available)
        run.stubbed.update(stubbed)
        done = apply(server, database, statements, run.limits)
        finding = _error_finding("prelude-failed", source, done, run) if done.error else None
        status = Status.PASSED if done.ok else Status.ERROR
        properties: dict[str, Figure] = {"duration_ms": round(done.duration_s * 1000, 1)}
        message = finding.message if finding else ""
        if stubbed:
            properties["stubbed_extensions"] = ", ".join(stubbed)
            message = message or f"stubbed extensions this server lacks: {', '.join(stubbed)}"
        checks.append(Check(run.name(label), status, done.duration_s, (finding,) if finding else (), properties,
                            _clean(done.output), run.group, message=message))
    return checks


def _apply_base(server: Server, database: str, run: SetRun) -> Check:
    started = time.perf_counter()
    for migration in run.base:
        statements = split(migration.up)
        # constraints validated in production count; its tables are not new (new_tables stays out of it)
        lint(statements, run.migration_set.wrap(migration.up), History(run.history.not_null, run.history.pending))
        done = apply(server, database, stub_extensions(statements, run.available)[0], run.limits)
        if not done.ok:
            finding = _error_finding("base-failed", migration.up, done, run)
            return Check(run.name(f"base {run.base_label}"), Status.ERROR, time.perf_counter() - started,
                         (finding,), group=run.group,
                         message=f"the base's migrations do not apply, so the new ones cannot be checked: "
                                 f"{migration.name}: {finding.message}")
        if run.seed:
            seed(server, database)
    elapsed = time.perf_counter() - started
    return Check(run.name(f"base {run.base_label}"), Status.PASSED, elapsed,
                 properties={"duration_ms": round(elapsed * 1000, 1), "migrations": len(run.base)}, group=run.group,
                 message=f"{len(run.base)} migration(s) of the base applied first, as production has them")


def _edited(run: SetRun, migration: Migration) -> Check:
    finding = Finding("migration-edited", f"{migration.name} was already in {run.base_label} and has been edited:"
                      " deploy tools do not run an applied migration again, so the edit never reaches production",
                      Severity.ERROR, run.location(migration.up, 1),
                      fix="revert the edit and put the change in a new migration")
    run.findings += 1
    return Check(run.name(migration.name), Status.FAILED, 0.0, (finding,), group=run.group)


def _apply_all(server: Server, database: str, run: SetRun) -> list[Check]:
    checks: list[Check] = []
    created = _created_anywhere(run)
    failed_at: str | None = None
    for migration in run.migration_set.migrations:
        if failed_at is not None:
            checks.append(_not_applied(run, migration, f"not applied: {failed_at} failed before it"))
            continue
        statements = split(migration.up)
        run.statements += len(statements)
        pairs = _lint_pairs(run, migration.up, statements)
        findings = [finding for finding, _ in pairs]
        runnable, stubbed = stub_extensions(statements, run.available)
        run.stubbed.update(stubbed)
        files_before = rewrite.files(server, database, rewrite.tables_of(pairs))
        wrapped = _wrapped(run.migration_set.wrap(migration.up), statements)
        done = apply(server, database, runnable, run.limits, after=SEED_SQL if run.seed else "", wrapped=wrapped)
        properties: dict[str, Figure] = {"duration_ms": round(done.duration_s * 1000, 1),
                                         "statements": len(statements)}
        if done.ok and files_before:
            files_after = rewrite.files(server, database, set(files_before))
            findings, kept_file = rewrite.without_rewrites(pairs, files_before, files_after)
            if kept_file:
                properties["type_changes_without_rewrite"] = ", ".join(kept_file)
        if done.ok and wrapped and major(server.version) >= 12:
            # it ran in a transaction as the framework runs it, and PostgreSQL accepted every use of the new
            # value: the text match of the static rule was not a use
            # (a value from an earlier migration of the run: the gate committed that one, production does not)
            findings = [f for f in findings if f.rule != "enum-value-in-transaction" or EARLIER_IN_RUN in f.message]
        status = judge(findings)
        message = f"stubbed extensions this server lacks: {', '.join(stubbed)}" if stubbed else ""
        if not statements:
            message = "no statements (an empty migration, or only comments): nothing to apply"
        if stubbed:
            properties["stubbed_extensions"] = ", ".join(stubbed)
        if done.ok:
            run.applied.append(migration)
            if run.seed:
                properties.update(_seeded(done, run))
        else:
            failed_at = migration.name
            finding = _error_finding("apply-failed", migration.up, done, run)
            findings = [finding, *findings]
            status, message = Status.FAILED, finding.message
            if done.could_not_run or _missing_baseline(done.error, created, run):
                status = Status.ERROR
                message = _baseline_message(done.error) if not done.could_not_run else finding.message
        run.findings += len(findings)
        checks.append(Check(run.name(migration.name), status, done.duration_s, tuple(findings), properties,
                            _clean(done.output), run.group, message))
    return checks


def _seeded(done: Applied, run: SetRun) -> dict[str, Figure]:
    """What seeding after this migration filled, and the tables it could not fill (each named once)."""
    figures: dict[str, Figure] = {}
    if done.after_failed:
        figures["seed_error"] = done.notices.strip()[-300:]
        return figures
    result = parse_seed(done.notices)
    fresh = [t for t in result.tables if t not in run.seeded]
    run.seeded.update(fresh)
    if fresh:
        figures["seeded_tables"] = ", ".join(fresh)
    new_failures = {t: why for t, why in result.failed if t not in run.unseeded}
    run.unseeded.update(new_failures)
    if new_failures:
        figures["unseeded_tables"] = "; ".join(f"{t}: {why}" for t, why in new_failures.items())[:1000]
    return figures


def _not_applied(run: SetRun, migration: Migration, why: str) -> Check:
    findings = _lint(run, migration.up, split(migration.up))
    run.findings += len(findings)
    status = Status.FAILED if judge(findings) is Status.FAILED else Status.SKIPPED
    return Check(run.name(migration.name), status, 0.0, tuple(findings), group=run.group, message=why)


def _lint(run: SetRun, source: SqlSource, statements: list[Statement]) -> list[Finding]:
    return [finding for finding, _ in _lint_pairs(run, source, statements)]


def _lint_pairs(run: SetRun, source: SqlSource, statements: list[Statement]) -> list[tuple[Finding, str]]:
    """Each finding with the table its rule hit names ("" when none)."""
    path = relative(source.path, run.root)
    findings: list[tuple[Finding, str]] = []
    if source.not_utf8_line:
        findings.append((Finding("not-utf8", "the file is not UTF-8 text (invalid bytes or a NUL): PostgreSQL and most "
                                "migration tools refuse it; the gate read it with replacement characters",
                                Severity.WARNING, run.location(source, source.not_utf8_line),
                                fix="re-save the file as UTF-8"), ""))
    for hit in lint(statements, run.migration_set.wrap(source), run.history):
        if not _allowed(run.allow, hit, path):
            findings.append((_hit_finding(hit, source, run), hit.detail.split(".")[0]))
    return findings


def _allowed(allow: tuple[Allow, ...], hit: Hit, path: str) -> bool:
    return any((not a.rule or a.rule == hit.rule.id) and (not a.path or fnmatch.fnmatch(path, a.path))
               for a in allow)


def _hit_finding(hit: Hit, source: SqlSource, run: SetRun) -> Finding:
    detail = f" ({hit.detail})" if hit.detail else ""
    return Finding(
        hit.rule.id, f"{hit.rule.why}{detail}", hit.rule.severity, run.location(source, hit.statement.line),
        evidence=_first_line(hit.statement.text),
        fix=f"{hit.rule.fix}; or accept it with `-- gates: allow {hit.rule.id} <reason>` above the statement",
    )


def _error_finding(rule: str, source: SqlSource, done: Applied, run: SetRun) -> Finding:
    error = done.error or ApplyError(done.output[-300:] or "psql failed")
    line = error.line or (error.statement.line if error.statement else None)
    where = f" at line {line}" if line else ""
    return Finding(rule, f"PostgreSQL: {error.describe()}{where}", Severity.ERROR,
                   run.location(source, line, error.column),
                   evidence=_first_line(error.statement.text) if error.statement else None)


def _missing_baseline(error: ApplyError | None, created: set[str], run: SetRun) -> bool:
    """The migration refers to an object no migration creates: history is not replayable from empty."""
    if error is None or error.sqlstate not in MISSING_OBJECT or run.schema is not None:
        return False
    if error.sqlstate != "42P01":
        return True
    name = error.message.split('"')[1].split(".")[-1].lower() if '"' in error.message else ""
    return bool(name) and name not in created


def _baseline_message(error: ApplyError | None) -> str:
    what = error.message if error else "an object is missing"
    return (f"cannot replay the migrations from an empty database: {what}, and no migration creates it."
            " Pass --schema FILE with a baseline (pg_dump --schema-only, supabase db dump)")


def _created_anywhere(run: SetRun) -> set[str]:
    names: set[str] = set()
    for migration in (*run.base, *run.migration_set.migrations):
        for statement in split(migration.up):
            node = statement.node
            if node is None:
                continue
            if node.kind in ("CreateStmt", "ViewStmt") and node.relation is not None:
                names.add(str(node.relation.relname).lower())
            elif node.kind == "CreateTableAsStmt":
                names.add(str(statement.node.into.rel.relname).lower())
    return names


def _down_path(server: Server, database: str, run: SetRun) -> Check:
    started = time.perf_counter()
    migrations = run.migration_set.migrations
    findings: list[Finding] = []
    for migration in migrations:
        if migration.down is None:
            findings.append(Finding("down-missing", f"{migration.name} has no down migration: it cannot be rolled"
                                    " back", Severity.WARNING, run.location(migration.up, 1),
                                    fix="write the down migration that undoes it"))
    if not migrations:
        return Check(run.name("down path"), Status.SKIPPED, 0.0, group=run.group,
                     message="no new migrations: nothing to roll back")
    if len(run.applied) != len(migrations):
        return Check(run.name("down path"), Status.SKIPPED, 0.0, tuple(findings), group=run.group,
                     message="not proven: an up migration failed")
    # Down from the newest migration until one without a down, then up again.
    reversible = []
    for migration in reversed(migrations):
        if migration.down is None:
            break
        reversible.append(migration)
    downs = 0
    for migration in reversible:
        assert migration.down is not None
        done = apply(server, database, split(migration.down), run.limits)
        if not done.ok:
            findings.append(_error_finding("down-failed", migration.down, done, run))
            break
        downs += 1
    else:
        for migration in reversed(reversible):
            done = apply(server, database, split(migration.up), run.limits)
            if not done.ok:
                finding = _error_finding("reapply-failed", migration.up, done, run)
                findings.append(Finding(finding.rule, f"{migration.name} no longer applies after its down "
                                        f"migration (the down does not fully undo it): {finding.message}",
                                        Severity.ERROR, finding.location, finding.evidence))
                break
    elapsed = time.perf_counter() - started
    status = judge(findings)
    message = "" if findings else f"proven: {downs} down migration(s) applied in reverse, then up again"
    return Check(run.name("down path"), status, elapsed, tuple(findings),
                 {"duration_ms": round(elapsed * 1000, 1), "downs_applied": downs}, group=run.group, message=message)


def _wrapped(mode: str, statements: list[Statement]) -> bool:
    """Whether the framework runs this migration in a transaction (rules.WRAP_MODES)."""
    return mode == "always" or (mode.startswith("multi") and sum(1 for s in statements if s.kind != "meta") > 1)


# A literal a migration hands PostgreSQL as a secret: `PASSWORD '…'`, `vault.create_secret('…')`
# (to the closing quote, or the end of the line where psql's `LINE n:` echo cut it)
_SECRET_LITERAL = re.compile(r"(\bPASSWORD\s+|\bcreate_secret\s*\(\s*)'((?:[^'\n]|'')*)('|$)", re.I | re.M)


def _mask_literals(text: str) -> str:
    return _SECRET_LITERAL.sub(lambda m: f"{m.group(1)}'{mask(m.group(2))}{m.group(3)}" if m.group(2)
                               else m.group(0), text)


def _first_line(text: str) -> str:
    """A statement's first line for a finding's evidence, with the secrets it hands PostgreSQL masked."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = _mask_literals(first)
    return first if len(first) <= 200 else first[:197] + "..."


def _clean(output: str) -> str:
    """psql's output for a check, without the gate's markers and with statement secrets masked (`LINE n:`)."""
    return _mask_literals("\n".join(line for line in output.splitlines() if not line.startswith("@@gates-statement")))
