"""`gates deps [FILE…]` (audit) and `gates deps update-db`: the click commands; logic lives in gates.deps."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from gates.cli_support import app_state, error_boundary, output_options, outputs_from, run_gate


class _AuditByDefault(click.Group):
    """`gates deps FILE…` audits; `gates deps update-db` downloads. Anything that is not a
    subcommand name goes to `audit`, so `gates deps --help` shows the audit flags."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["audit", *args]
        return super().parse_args(ctx, args)


@click.group("deps", cls=_AuditByDefault)
def command() -> None:
    """Block known-vulnerable dependencies."""


@command.command("audit")
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
def audit(ctx: click.Context, /, **params: Any) -> None:
    """Audit dependency files for known vulnerabilities.

    FILE… are requirements*.txt, pyproject.toml, poetry.lock, uv.lock, Pipfile.lock, pylock.toml or
    package-lock.json; without them, [deps] files or the files found in the project are read.
    With --db (or [deps] db) the audit is offline; otherwise pip-audit asks --service.
    `gates deps update-db` downloads the OSV exports for --db.
    """
    # Files named on the command line are relative to where the user stands, not to the config.
    params["files"] = tuple(str(path.absolute()) for path in params["files"])
    outputs = outputs_from(params)
    run_gate(ctx, "deps", params, outputs)


@command.command("update-db")
@click.option("--dest", metavar="DIR", help="Directory for the exports (default: [deps] db, else ~/.cache/gates/osv).")
@click.option("--ecosystem", "ecosystems", multiple=True, metavar="NAME",
              help="OSV ecosystem to download (repeatable; default: PyPI and npm).")
@click.option("--url", "base_url", metavar="URL", help="Where the exports live (default: the OSV project's bucket).")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.pass_context
def update_db(ctx: click.Context, dest: str | None, ecosystems: tuple[str, ...], base_url: str | None,
              timeout: float) -> None:
    """Download the OSV project's per-ecosystem all.zip exports for offline audits."""
    from gates.config import load_config
    from gates.deps.update import DEFAULT_ECOSYSTEMS, OSV_EXPORTS, update
    from gates.errors import UsageError

    state = app_state(ctx)
    with error_boundary(state.debug):
        config = load_config(state.config_path)
        configured = config.section("deps").data.get("db")
        target = Path(os.path.expanduser(dest or configured or "~/.cache/gates/osv"))
        if not target.is_absolute():
            target = (Path.cwd() if dest else config.root) / target
        if target.suffix == ".zip" or target.is_file():
            raise UsageError(f"update-db writes a directory of exports; {target} is a file")
        for item in update(target, ecosystems or DEFAULT_ECOSYSTEMS, base_url or OSV_EXPORTS, timeout):
            click.echo(f"{item.ecosystem}: {item.records} records ({item.bytes / 1e6:.1f} MB) -> {item.path}")
        click.echo(f"use it with: gates deps --db {target}")
