"""A Markdown summary table (GitHub step summary, `gates run --markdown`)."""

from __future__ import annotations

from collections.abc import Sequence

from gates.report import Report, Status
from gates.reporters.text import clean, figure_text, one_line, redact_reports, redactor_for

ICON = {Status.PASSED: "✅ passed", Status.FAILED: "❌ failed", Status.ERROR: "⚠️ could not check",
        Status.SKIPPED: "⏭️ skipped"}


def _cell(text: str) -> str:
    return one_line(clean(text), 200).replace("|", "\\|")


def format(reports: Sequence[Report], title: str = "Launch Gates") -> str:
    reports = redact_reports(reports, with_output=False)
    redact = redactor_for(reports)
    lines = [f"## {title}", "", "| Gate | Check | Status | Figure | Details |", "|---|---|---|---|---|"]
    for report in reports:
        for check in report.checks:
            figure = ", ".join(f"{k}={figure_text(v)}" for k, v in list(check.properties.items())[:2])
            lines.append(
                f"| {_cell(report.gate)} | {_cell(redact(check.name))} | {ICON[check.status]} "
                f"| {_cell(redact(figure))} | {_cell(redact(check.summary))} |"
            )
    fixes = [
        (report.gate, finding)
        for report in reports
        for check in report.checks
        if check.status is Status.FAILED
        for finding in check.findings
        if finding.fix
    ]
    if fixes:
        lines += ["", "### How to fix", ""]
        for gate, finding in fixes[:50]:
            where = f" (`{_cell(redact(str(finding.location)))}`)" if finding.location else ""
            lines.append(f"- **{_cell(gate)} / {_cell(finding.rule)}**{where}: {_cell(redact(finding.fix or ''))}")
    return "\n".join(lines) + "\n"

