"""`gates secrets` and `gates secrets baseline`: the CLI only parses flags and calls the gate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from gates.cli_support import app_state, error_boundary, merge_flags, output_options, outputs_from, run_gate

F = TypeVar("F", bound=Callable[..., Any])


def scan_options(function: F) -> F:
    options = [
        click.option("--history", "mode", flag_value="history", default=None,
                     help="Every commit reachable from any ref (default outside a pull request)."),
        click.option("--staged", "mode", flag_value="staged", help="The index against HEAD (pre-commit)."),
        click.option("--range", "range_", metavar="BASE..HEAD", help="Only what these commits added (a PR)."),
        click.option("--paths", multiple=True, metavar="PATH", help="Scan files/folders on disk (repeatable)."),
        click.option("--logs", multiple=True, metavar="FILE", help="Scan log files (repeatable)."),
        click.option("--allow-shallow", is_flag=True, default=None,
                     help="On a shallow clone, scan the commits that are there (and say so)."),
        click.option("--baseline", metavar="FILE", help="detect-secrets baseline (default .secrets.baseline)."),
        click.option("--no-cache", is_flag=True, default=None, help="Re-read all history (ignore the clean cache)."),
        click.option("--max-file-mb", type=float, help="Scan at most this much of each file on disk."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _flags(params: dict[str, Any]) -> dict[str, Any]:
    flags = dict(params)
    flags["range"] = flags.pop("range_", None)
    if flags.pop("no_cache", None):
        flags["cache"] = "off"
    if flags.get("range") and flags.get("mode") is None:
        flags["mode"] = "range"
    if (flags.get("paths") or flags.get("logs")) and flags.get("mode") is None and not flags.get("range"):
        flags["mode"] = "paths"  # --paths/--logs alone: disk only, no git scan
    return flags


@click.group("secrets", invoke_without_command=True)
@scan_options
@output_options()
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Find secrets in git history, a PR range, staged changes, build output and logs."""
    if ctx.invoked_subcommand is not None:
        return
    outputs = outputs_from(params)
    run_gate(ctx, "secrets", _flags(params), outputs)


@command.command("baseline")
@scan_options
@click.pass_context
def baseline_command(ctx: click.Context, /, **params: Any) -> None:
    """Write or update a detect-secrets baseline (no line numbers, no timestamps)."""
    from gates.config import load_config
    from gates.context import GateContext
    from gates.progress import open_progress
    from gates.secrets import baseline, options_from_config
    from gates.secrets.detectors import settings_json, version
    from gates.secrets.suppress import read_baseline

    state = app_state(ctx)
    with error_boundary(state.debug):
        config = load_config(state.config_path)
        section = config.section("secrets")
        gate_ctx = GateContext(root=config.root, config=config, debug=state.debug)
        options = options_from_config(merge_flags(section.data, _flags(params)), gate_ctx)
        target: Path = options.baseline or options.root / ".secrets.baseline"
        _, existing = read_baseline(target)
        with open_progress(False) as progress:
            found = baseline.collect(options, progress)
        document = baseline.build(found, existing, settings_json(), version())
        baseline.write(target, document)
        total = sum(len(entries) for entries in document["results"].values())
        click.echo(f"wrote {target}: {total} entries ({len(found)} found in this scan)")
