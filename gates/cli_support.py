"""What every gate command shares: output flags, the error boundary, and writing the outputs.

A gate command declares its own flags and calls `run_gate`; this module merges flags over the
config table, runs the gate, writes JUnit/SARIF/JSON/console/GitHub outputs and exits with the
Report's code. Expected errors (`GateError`) become one message and exit 2 or 3; `--debug` adds
the traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar

import click

from gates.errors import GateError, UsageError

if TYPE_CHECKING:
    from gates.config import Config
    from gates.report import Report, Severity

# This module is imported on every `gates <gate> --help` (a pre-commit hook path): keep its imports to
# click and the error classes; what running a gate needs is imported where it is used.

F = TypeVar("F", bound=Callable[..., Any])


class AppState(NamedTuple):
    config_path: Path | None = None
    debug: bool = False


class Outputs(NamedTuple):
    junit_xml: Path | None = None
    sarif: Path | None = None
    json: str | None = None
    strict: bool = False
    quiet: bool = False


def output_options(sarif: bool = True) -> Callable[[F], F]:
    """--junit-xml, --sarif (where findings have file locations), --json, --strict, --quiet."""

    def decorate(function: F) -> F:
        options = [
            click.option("--junit-xml", type=click.Path(path_type=Path, dir_okay=False),
                         help="Write JUnit XML here."),
            click.option("--json", "json_path", metavar="PATH|-", help="Write JSON here ('-' for stdout)."),
            click.option("--strict", is_flag=True, default=None, help="Warnings block the release too."),
            click.option("--quiet", "-q", is_flag=True, help="Print nothing when everything passed."),
        ]
        if sarif:
            options.insert(1, click.option("--sarif", type=click.Path(path_type=Path, dir_okay=False),
                                           help="Write SARIF 2.1.0 here."))
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def outputs_from(params: dict[str, Any]) -> Outputs:
    """Pop the output flags out of a command's keyword arguments."""
    return Outputs(
        junit_xml=params.pop("junit_xml", None),
        sarif=params.pop("sarif", None),
        json=params.pop("json_path", None),
        strict=bool(params.pop("strict", None)),
        quiet=bool(params.pop("quiet", False)),
    )


def app_state(ctx: click.Context) -> AppState:
    state = ctx.find_object(AppState)
    return state if state is not None else AppState()


@contextmanager
def error_boundary(debug: bool) -> Iterator[None]:
    try:
        yield
    except GateError as exc:
        if debug:
            traceback.print_exc()
        from gates.redact import redact

        click.echo(f"gates: error: {redact(exc.message)}", err=True)
        sys.exit(3 if exc.exit_code == 3 else 2)
    except KeyboardInterrupt:
        click.echo("gates: interrupted", err=True)
        sys.exit(130)
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except Exception as exc:  # a bug must not pass a release: could not evaluate, exit 3
        from gates.redact import redact

        if debug:
            traceback.print_exc()
        click.echo(f"gates: internal error: {type(exc).__name__}: {redact(str(exc))}"
                   " (could not evaluate; run `gates --debug ...` for the traceback and please report it)", err=True)
        sys.exit(3)


def merge_flags(section: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """Flags win over config keys; an unset flag (None, empty tuple) leaves the key alone."""
    merged = dict(section)
    for key, value in flags.items():
        if value is None or value == ():
            continue
        merged[key] = list(value) if isinstance(value, tuple) else value
    return merged


def fail_on(config: Config, outputs: Outputs) -> Severity:
    from gates.report import Severity

    return Severity.WARNING if outputs.strict or config.fail_on == "warning" else Severity.ERROR


def run_gate(ctx: click.Context, gate: str, flags: Mapping[str, Any], outputs: Outputs,
             github_outputs: Callable[[Report], Mapping[str, str]] | None = None) -> NoReturn:
    """Load config, merge flags, run one gate, write every output, exit with its code."""
    from dataclasses import replace

    from gates.config import load_config
    from gates.context import GateContext
    from gates.errors import NotConfigured
    from gates.progress import open_progress
    from gates.registry import load_gate
    from gates.report import apply_fail_on

    state = app_state(ctx)
    with error_boundary(state.debug):
        config = load_config(state.config_path)
        section = config.section(gate)
        module = load_gate(gate)
        if module is None:
            raise UsageError(f"the {gate} gate is not available in this version")
        gate_ctx = GateContext(root=config.root, config=config, quiet=outputs.quiet, debug=state.debug)
        try:
            options = module.options_from_config(merge_flags(section.data, flags), gate_ctx)
        except NotConfigured as exc:
            raise UsageError(f"{gate}: nothing to check: {exc.message}") from None
        with open_progress(outputs.quiet) as progress:
            report = module.run(options, progress)
        report = replace(report, secrets=report.secrets | section.secrets)
        report = apply_fail_on(report, fail_on(config, outputs))
        extra = github_outputs(report) if github_outputs else {}
        code = report.exit_code
        emit([report], outputs, code, extra)
    sys.exit(code)


def emit(reports: Sequence[Report], outputs: Outputs, code: int | None = None,
         github_extra: Mapping[str, str] | None = None, title: str | None = None) -> int:
    """Write every requested output for these reports; return the exit code they add up to."""
    # Each reporter is imported only when its output is asked for: a quiet hook that passes loads none.
    from gates.report import Status, combine_exit_codes
    from gates.reporters import github

    code = combine_exit_codes(r.exit_code for r in reports) if code is None else code
    if outputs.junit_xml:
        from gates.reporters import junit

        write_text(outputs.junit_xml, junit.format(reports))
    if outputs.sarif:
        from gates.reporters import sarif

        write_text(outputs.sarif, sarif.format(reports))
    json_to_stdout = outputs.json == "-"
    if outputs.json:
        from gates.reporters import json as json_reporter

        text = json_reporter.format(reports, code)
        if json_to_stdout:
            sys.stdout.write(text)
        else:
            write_text(Path(outputs.json), text)
    stream = sys.stderr if json_to_stdout else sys.stdout
    unhappy = any(check.status in (Status.FAILED, Status.ERROR) for report in reports for check in report.checks)
    if unhappy or not outputs.quiet:
        from gates.reporters import console

        console.render(reports, console.make_console(stream), quiet=outputs.quiet, title=title)
    if github.is_github_actions():
        values = {"result": github.result_word(code)}
        if outputs.junit_xml:
            values["junit"] = str(outputs.junit_xml)
        if outputs.sarif:
            values["sarif"] = str(outputs.sarif)
        values.update(github_extra or {})
        stream.write(github.publish(reports, values))
    return code


def write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
