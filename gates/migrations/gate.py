"""The migrations gate's run(); `gates.migrations` loads this module on first use."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from gates.migrations.options import Options, options_from_config
from gates.progress import NullProgress, Progress
from gates.report import Check, Figure, Report, Status

if TYPE_CHECKING:
    from gates.migrations.database import Server
    from gates.migrations.discover import Migration, MigrationSet, SqlSource

__all__ = ["Options", "options_from_config", "run"]


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.migrations.base import resolve
    from gates.migrations.database import display_url, open_server
    from gates.migrations.discover import summary

    started = time.perf_counter()
    progress = progress or NullProgress()
    sets = _django_projects([_as_sql(found, options.root) for found in options.sets], options.root)
    checks = [_discovery(sets, options.root, summary(sets, options.root))]
    for found in sets:
        if not found.runnable and found.framework != "django":
            checks.append(_not_executed(found, options.root))
    # Django sets become SQL only with a server (sqlmigrate needs a connection): converted per set below
    runnable = [s for s in sets if s.runnable and s.migrations or s.framework == "django"]
    metrics: dict[str, Figure] = {"migration_sets": len(sets),
                                  "migrations": sum(len(s.migrations) for s in runnable)}
    if runnable:
        commit = resolve(options.root, options.from_ref) if options.from_ref else ""
        if commit:
            metrics["from"] = f"{options.from_ref} ({commit[:12]})"
        task = progress.task("Starting PostgreSQL", total=None)
        server = open_server(options.database_url or None, options.i_know_this_is_not_production)
        try:
            metrics["server"] = f"{server.kind}: PostgreSQL {server.version}"
            if options.database_url:
                metrics["server"] = f"{metrics['server']} at {display_url(options.database_url)}"
            task.update(description="Applying migrations", total=len(runnable))
            for found in runnable:
                checks += _check_one_set(server, found, options, commit, metrics)
                task.advance()
        finally:
            server.close()
    secrets = frozenset(_url_secrets(options.database_url))
    return Report("migrations", tuple(checks), time.perf_counter() - started, metrics, secrets)


def _check_one_set(server: Server, found: MigrationSet, options: Options, commit: str,
                   metrics: dict[str, Figure]) -> list[Check]:
    """One set in its own scratch database; its figures are added to the gate's metrics."""
    from dataclasses import replace

    from gates.migrations.apply import Limits
    from gates.migrations.base import split_at
    from gates.migrations.rules import ONE_TRANSACTION_PER_RUN
    from gates.migrations.runner import SetRun, check_set
    from gates.migrations.shims import supabase_shim

    dependencies: tuple[Migration, ...] = ()
    if found.framework == "django":
        found, dependencies = _django_as_sql(server, found, options)
        if not found.runnable:
            return [_not_executed(found, options.root)]
        metrics["migrations"] = int(metrics.get("migrations", 0)) + len(found.migrations)
    prelude: list[tuple[str, SqlSource]] = []
    if found.framework == "supabase":
        prelude.append(("supabase shim", supabase_shim()))
        metrics["supabase_shim"] = True
    if options.schema is not None:
        prelude.append(("baseline schema", _read_source(options.schema)))
    limits = Limits(statement_timeout=options.statement_timeout, lock_timeout=options.lock_timeout)
    state = SetRun(found, options.root, limits, options.allow, options.schema, seed=options.seed,
                   base=dependencies, base_label="dependencies (Django and third-party apps)")
    if commit:
        divided = split_at(options.root, commit, found)
        state = replace(state, migration_set=replace(found, migrations=divided.new),
                        base=(*dependencies, *divided.base), edited=divided.edited,
                        base_label=f"{options.from_ref} ({commit[:12]})")
        state.history.new_tables = set()  # what this change creates is not in production yet
        if found.framework in ONE_TRANSACTION_PER_RUN:
            state.history.run_enum_values = set()
    checks = check_set(server, state, prelude)
    metrics["statements"] = int(metrics.get("statements", 0)) + state.statements
    metrics["lint_findings"] = int(metrics.get("lint_findings", 0)) + state.findings
    for key, names in (("stubbed_extensions", state.stubbed), ("unseeded_tables", set(state.unseeded))):
        if names:
            previous = {n for n in str(metrics.get(key, "")).split(", ") if n}
            metrics[key] = ", ".join(sorted(previous | names))
    return checks


def _django_projects(sets: list[MigrationSet], root: Path) -> list[MigrationSet]:
    """One Django set per project (manage.py), however many apps have migrations."""
    from dataclasses import replace

    from gates.migrations.django_sql import manage_py

    result, projects = [], set()
    for found in sets:
        if found.framework == "django":
            manage = manage_py(found.root, root)
            if manage is None:
                result.append(replace(found, note="found but no manage.py above it: not executed"))
                continue
            if manage in projects:
                continue
            projects.add(manage)
        result.append(found)
    return result


def _django_as_sql(server: Server, found: MigrationSet, options: Options) -> tuple[MigrationSet, tuple[Migration, ...]]:
    from gates.migrations.database import create_scratch, drop_scratch
    from gates.migrations.django_sql import read_django

    scratch = create_scratch(server)
    try:
        return read_django(found, options.root, server.url_for(scratch), server.password, dict(options.env))
    finally:
        drop_scratch(server, scratch)


def _discovery(sets: list[MigrationSet], root: Path, text: str) -> Check:
    """What was found; a file found beside the migrations but not run is a warning, never silence."""
    from gates.migrations.apply import relative
    from gates.report import Finding, Location, Severity, judge

    findings = tuple(Finding("migration-not-run", f"{path.name}: {why}", Severity.WARNING,
                             Location(relative(path, root)), fix="rename or remove it, or run it another way")
                     for found in sets for path, why in found.skipped)
    return Check("discovery", judge(findings), findings=findings, message=text, group="discovery")


def _not_executed(found: MigrationSet, root: Path) -> Check:
    """Found but not run: never a pass. Django's irreversible operations are still reported."""
    from gates.migrations.apply import relative

    findings = []
    if found.framework == "django":
        from gates.migrations.django import irreversible

        findings = irreversible(found.root, root)
    return Check(relative(found.root, root), Status.ERROR, findings=tuple(findings), group=found.framework,
                 message=f"found but not executed: {found.note}", properties={"files": found.files})


def _as_sql(found: MigrationSet, root: Path) -> MigrationSet:
    """Framework migrations written in Python, as SQL the gate can run (Alembic); others unchanged."""
    if found.framework == "alembic" and not found.runnable:
        from gates.migrations.alembic import read_alembic

        return read_alembic(found, root)
    return found


def _read_source(path: Path) -> SqlSource:
    """A baseline dump. Its psql syntax (pg_dump's `\\restrict`, `\\connect`, COPY data) is handled by the
    statement splitter: meta-commands are never run, COPY keeps its rows."""
    from gates.migrations.discover import read_source

    return read_source(path)


def _url_secrets(url: str) -> set[str]:
    from urllib.parse import unquote, urlsplit

    if not url:
        return set()
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return {s for s in (url, password, unquote(password or "")) if s}
