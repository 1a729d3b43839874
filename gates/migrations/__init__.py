"""Gate `migrations`: dry-run every migration on a throwaway PostgreSQL, prove rollback, flag what hurts.

run() reads like the steps a person takes: say what migrations were found; start (or borrow) a
throwaway PostgreSQL; for each migration set, in a scratch database of its own, apply every
migration in order while linting its statements with PostgreSQL's parser; prove the down path
where the framework has one; stop the server.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from gates.migrations.options import Options, options_from_config
from gates.progress import NullProgress, Progress
from gates.report import Check, Report, Status

if TYPE_CHECKING:
    from gates.migrations.discover import SqlSource

__all__ = ["Options", "options_from_config", "run"]


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.migrations.apply import Limits, relative
    from gates.migrations.database import display_url, open_server
    from gates.migrations.discover import summary
    from gates.migrations.runner import SetRun, check_set
    from gates.migrations.shims import supabase_shim

    started = time.perf_counter()
    progress = progress or NullProgress()
    sets = list(options.sets)
    secrets = _url_secrets(options.database_url)
    checks = [Check("discovery", Status.PASSED, message=summary(sets, options.root), group="discovery")]
    for found in sets:
        if not found.runnable:
            checks.append(Check(f"{relative(found.root, options.root)}", Status.ERROR, group=found.framework,
                                message=f"found but not executed: {found.note}",
                                properties={"files": found.files}))
    runnable = [s for s in sets if s.runnable and s.migrations]
    metrics: dict[str, int | float | str | bool] = {"migration_sets": len(sets),
                                                    "migrations": sum(len(s.migrations) for s in runnable)}
    if runnable:
        limits = Limits(statement_timeout=options.statement_timeout, lock_timeout=options.lock_timeout)
        task = progress.task("Starting PostgreSQL", total=None)
        server = open_server(options.database_url or None, options.i_know_this_is_not_production)
        try:
            metrics["server"] = f"{server.kind}: PostgreSQL {server.version}"
            if options.database_url:
                metrics["server"] = f"{metrics['server']} at {display_url(options.database_url)}"
            task.update(description="Applying migrations", total=len(runnable))
            statements = findings = 0
            stubbed: set[str] = set()
            unseeded: dict[str, str] = {}
            for found in runnable:
                prelude: list[tuple[str, SqlSource]] = []
                if found.framework == "supabase":
                    prelude.append(("supabase shim", supabase_shim()))
                if options.schema is not None:
                    prelude.append(("baseline schema", _read_source(options.schema)))
                run_state = SetRun(found, options.root, limits, options.allow, options.schema, seed=options.seed)
                checks += check_set(server, run_state, prelude)
                statements += run_state.statements
                findings += run_state.findings
                stubbed |= run_state.stubbed
                unseeded.update(run_state.unseeded)
                task.advance()
            metrics.update(statements=statements, lint_findings=findings)
            if stubbed:
                metrics["stubbed_extensions"] = ", ".join(sorted(stubbed))
            if unseeded:
                metrics["unseeded_tables"] = ", ".join(sorted(unseeded))
            if any(s.framework == "supabase" for s in runnable):
                metrics["supabase_shim"] = True
        finally:
            server.close()
    return Report("migrations", tuple(checks), time.perf_counter() - started, metrics, frozenset(secrets))


def _read_source(path: Path) -> SqlSource:
    from gates.migrations.discover import SqlSource

    return SqlSource(path, path.read_text(encoding="utf-8", errors="replace"))


def _url_secrets(url: str) -> set[str]:
    from urllib.parse import unquote, urlsplit

    if not url:
        return set()
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return {s for s in (url, password, unquote(password or "")) if s}
