"""`gates migrations`: the click command; all the work is in gates.migrations.run()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


@click.command("migrations")
@click.option("--path", multiple=True, help="Migration folder (repeatable); default: auto-detect every framework.")
@click.option("--framework",
              help="Force one framework (supabase, prisma, drizzle, flyway, golang-migrate, dbmate, sql).")
@click.option("--database-url", help="Existing PostgreSQL server to create a scratch database on "
              "(default: DATABASE_URL, else a throwaway local server).")
@click.option("--i-know-this-is-not-production", is_flag=True, default=None,
              help="Allow a --database-url whose database already has tables.")
@click.option("--schema", type=click.Path(path_type=Path, dir_okay=False),
              help="Baseline schema (pg_dump --schema-only) applied before the first migration.")
@click.option("--from", "from_ref", metavar="REF",
              help="Apply the migrations as of REF first (production's state), then check only the new ones.")
@click.option("--seed/--no-seed", default=None,
              help="Insert synthetic rows into empty tables between migrations (default: on).")
@click.option("--lock-timeout", help="lock_timeout while applying, e.g. 5s (default: none).")
@click.option("--statement-timeout", help="statement_timeout while applying (default: 300s).")
@output_options()
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Dry-run every migration on a throwaway PostgreSQL, prove rollback, flag data loss and long locks."""
    outputs = outputs_from(params)
    if params.get("schema") is not None:
        params["schema"] = str(Path(params["schema"]).resolve())
    run_gate(ctx, "migrations", params, outputs)
