"""`gates run`: the gates of one stage as one release barrier."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from gates.cli_support import app_state, emit, error_boundary, fail_on, output_options, outputs_from, write_text
from gates.config import DEFAULT_STAGES, load_config
from gates.context import GateContext
from gates.errors import UsageError
from gates.progress import open_progress
from gates.report import Report, Status
from gates.schemas import GATE_NAMES


@click.command("run")
@click.option("--stage", default="pr", show_default=True,
              help=f"Stage to run: {', '.join(DEFAULT_STAGES)} or one from [stages].")
@click.option("--gates", "gate_list", metavar="A,B", help="Run these gates instead of the stage's.")
@click.option("--base-ref", help="Pull-request base for range scans (default: from the CI environment).")
@click.option("--allow-errors", is_flag=True, help="Gates that could not check (exit 3) do not block.")
@click.option("--rollback-cmd", help="Command the smoke gate runs once when it blocks (overrides [smoke] rollback).")
@output_options()
@click.option("--markdown", type=click.Path(path_type=Path, dir_okay=False), help="Write a Markdown summary.")
@click.option("--html", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the launch-readiness report (self-contained HTML).")
@click.pass_context
def command(ctx: click.Context, /, stage: str, gate_list: str | None, base_ref: str | None, allow_errors: bool,
            rollback_cmd: str | None, markdown: Path | None, html: Path | None, **params: Any) -> None:
    """Run the gates of a stage and combine their results into one exit code."""
    from gates.barrier import gates_for_stage, run_barrier
    from gates.reporters import html as html_reporter
    from gates.reporters import markdown as markdown_reporter

    outputs = outputs_from(params)
    state = app_state(ctx)
    with error_boundary(state.debug):
        config = load_config(state.config_path)
        gates = _parse_gate_list(gate_list) if gate_list else gates_for_stage(config, stage)
        gate_ctx = GateContext(root=config.root, config=config, stage=stage, base_ref=base_ref,
                               quiet=outputs.quiet, debug=state.debug)
        with open_progress(outputs.quiet) as progress:
            result = run_barrier(gate_ctx, gates, allow_errors=allow_errors, fail_on=fail_on(config, outputs),
                                 progress=progress, overrides=_overrides(rollback_cmd))
        code = emit(result.reports, outputs, result.exit_code, _gate_github_outputs(result.reports),
                    title=f"gates run --stage {stage}")
        if markdown:
            write_text(markdown, markdown_reporter.format(result.reports, f"Launch Gates: {stage}"))
        if html:
            write_text(html, html_reporter.format(result.reports, f"Launch readiness ({stage})", code))
        if not outputs.quiet or code:
            for note in result.notes:
                click.echo(f"gates run: {note}", err=True)
    sys.exit(code)


def _parse_gate_list(text: str) -> list[str]:
    gates = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in gates if name not in GATE_NAMES]
    if unknown:
        raise UsageError(f"--gates: unknown gate {unknown[0]!r} (gates: {', '.join(GATE_NAMES)})")
    return gates


def _overrides(rollback_cmd: str | None) -> dict[str, dict[str, Any]]:
    return {"smoke": {"rollback": rollback_cmd}} if rollback_cmd else {}


def _gate_github_outputs(reports: Sequence[Report]) -> dict[str, str]:
    """Step outputs a gate adds of its own (smoke: rollback, failed_checks), as its command would."""
    from gates.registry import load_gate

    values: dict[str, str] = {}
    for report in reports:
        module = load_gate(report.gate)
        extra = getattr(module, "github_outputs", None) if module is not None else None
        if extra is not None and report.status is not Status.SKIPPED:
            values.update(extra(report))
    return values
