"""`gates deps [FILE…]`: the click command; all logic lives in gates.deps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


@click.command("deps")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", metavar="PATH", help="Offline OSV database: a directory or zip of OSV records (JSON/YAML).")
@click.option("--service", type=click.Choice(["pypi", "osv"]), help="Online vulnerability service for pip-audit.")
@click.option("--osv-url", metavar="URL", help="OSV query endpoint for pip-audit (implies --service osv).")
@click.option("--fail-on", type=click.Choice(["low", "medium", "high", "critical"]),
              help="Lowest severity that blocks (unknown severity always blocks).")
@click.option("--no-dev", is_flag=True, default=None, help="Leave development-only dependencies out.")
@click.option("--no-resolve", is_flag=True, default=None,
              help="Report unpinned requirements as warnings instead of resolving them.")
@click.option("--cache-dir", metavar="DIR", help="Where the OSV index is cached (default ~/.cache/gates/deps).")
@click.option("--timeout", type=float, help="Seconds pip-audit may wait on its service (default 15).")
@output_options()
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Audit dependency files for known vulnerabilities.

    FILE… are requirements*.txt, pyproject.toml, poetry.lock, uv.lock, Pipfile.lock, pylock.toml or
    package-lock.json; without them, [deps] files or the files found in the project are read.
    With --db (or [deps] db) the audit is offline; otherwise pip-audit asks --service.
    """
    # Files named on the command line are relative to where the user stands, not to the config.
    params["files"] = tuple(str(path.absolute()) for path in params["files"])
    outputs = outputs_from(params)
    run_gate(ctx, "deps", params, outputs)
