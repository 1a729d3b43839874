"""Console: a rich table of checks (status, name, key figure, message), colour only on a TTY.

Quiet mode (hooks) prints nothing when everything passed, and a short table of what did not.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from gates.report import Check, Report, Status
from gates.reporters.text import clean, figure_text, one_line, redact_reports, redactor_for

STYLE = {Status.PASSED: "green", Status.FAILED: "bold red", Status.ERROR: "yellow", Status.SKIPPED: "dim"}
LABEL = {Status.PASSED: "pass", Status.FAILED: "FAIL", Status.ERROR: "ERROR", Status.SKIPPED: "skip"}


def make_console(stream: IO[str] | None = None) -> Console:
    stream = stream or sys.stdout
    _never_crash_on_encoding(stream)
    return Console(file=stream, highlight=False, soft_wrap=False, width=None if stream.isatty() else 120)


def _safe(text: str) -> str:
    """Printable in a CI log: no control characters, and no legacy `##[command]` the Actions runner
    would execute from anywhere in a line (`##[stop-commands]`, `##[add-mask]`): a zero-width space
    after the hashes keeps the text readable and inert."""
    return clean(text).replace("##[", "##\u200b[")


def _never_crash_on_encoding(stream: IO[str]) -> None:
    """Under LANG=C stdout is ASCII: ✓, … and masked secrets would raise UnicodeEncodeError mid-table."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "…✓—".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def render(reports: Sequence[Report], console: Console | None = None, quiet: bool = False,
           title: str | None = None) -> None:
    console = console or make_console()
    reports = redact_reports(reports, with_output=False)
    redact = redactor_for(reports)
    rows = [
        (report, check)
        for report in reports
        for check in report.checks
        if not quiet or check.status in (Status.FAILED, Status.ERROR)
    ]
    if quiet and not rows:
        return
    table = Table(title=title, show_lines=False, expand=False)
    many = len(reports) > 1
    if many:
        table.add_column("gate")
    table.add_column("status")
    table.add_column("check", overflow="fold")
    table.add_column("figure", overflow="fold")
    table.add_column("message", overflow="fold")
    for report, check in rows:
        figure = next(iter(check.properties.items()), None)
        cells = [
            Text(LABEL[check.status], style=STYLE[check.status]),
            Text(_safe(redact(check.name))),
            Text(_safe(redact(f"{figure[0]}={figure_text(figure[1])}")) if figure else ""),
            Text(_safe(redact(one_line(check.summary, 400)))),
        ]
        table.add_row(*([Text(_safe(report.gate))] if many else []), *cells)
    console.print(table)
    for line in _fix_lines(rows):
        # One line each: under Actions a printed line that starts with "::" is a workflow command.
        console.print(Text(_safe(redact(one_line(line, 2000))), style="dim"))
    if not quiet:
        for report in reports:
            console.print(Text(_safe(redact(one_line(_footer(report), 2000))), style="bold" if many else ""))


def _fix_lines(rows: Sequence[tuple[Report, Check]], limit: int = 30) -> list[str]:
    """One line per distinct fix: 41 findings of one rule need its fix once, with where it applies."""
    by_fix: dict[tuple[str, str], list[str]] = {}
    for _report, check in rows:
        if check.status is not Status.FAILED:
            continue
        for finding in check.findings:
            if finding.fix:
                places = by_fix.setdefault((finding.rule, finding.fix), [])
                if finding.location:
                    places.append(str(finding.location))
    lines = []
    for (rule, fix), places in list(by_fix.items())[:limit]:
        where = f" ({', '.join(places[:3])}{f' +{len(places) - 3} more' if len(places) > 3 else ''})" if places else ""
        lines.append(f"  fix {rule}{where}: {fix}")
    if len(by_fix) > limit:
        lines.append(f"  … {len(by_fix) - limit} more fixes in the JSON/JUnit output")
    return lines


def _footer(report: Report) -> str:
    counts = report.counts()
    parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
    figures = ", ".join(f"{k}={figure_text(v)}" for k, v in report.metrics.items())
    verdict = {Status.PASSED: "passed", Status.FAILED: "BLOCKED", Status.ERROR: "could not check",
               Status.SKIPPED: "skipped"}[report.status]
    text = f"gates {report.gate}: {verdict} ({', '.join(parts) or 'no checks'}) in {report.duration_s:.2f}s"
    return text + (f" — {figures}" if figures else "")
