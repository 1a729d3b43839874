"""String helpers every reporter shares: redaction with the reports' own secrets, control characters, caps."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from gates.redact import Redactor
from gates.report import Check, Figure, Finding, Location, Report, all_secrets

# C0 controls but tab/newline/CR, DEL, C1 controls, and what XML 1.0 cannot hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

MAX_OUTPUT_CHARS = 64 * 1024


def redactor_for(reports: Sequence[Report]) -> Redactor:
    return Redactor(all_secrets(reports))


def redact_reports(reports: Sequence[Report], with_output: bool = True) -> list[Report]:
    """Copies of the reports with every string redacted: names, groups, rules, keys, paths, commits.

    Every reporter starts from these, so a field a reporter forgets to redact still cannot leak.
    The copies keep their `secrets`, so redacting again later finds nothing new to mask. Reporters
    that never show a check's output pass `with_output=False`: it is dropped, not scanned.
    """
    redact = redactor_for(reports)
    return [_report(report, redact, with_output) for report in reports]


def _report(report: Report, redact: Redactor, with_output: bool) -> Report:
    return replace(report, gate=redact(report.gate), metrics=_figures(report.metrics, redact),
                   checks=tuple(_check(check, redact, with_output) for check in report.checks))


def _check(check: Check, redact: Redactor, with_output: bool) -> Check:
    return replace(check, name=redact(check.name), group=redact(check.group), message=redact(check.message),
                   output=redact(check.output) if with_output else "", properties=_figures(check.properties, redact),
                   findings=tuple(_finding(f, redact) for f in check.findings))


def _finding(finding: Finding, redact: Redactor) -> Finding:
    location = finding.location
    if location is not None:
        location = Location(redact(location.path) if location.path is not None else None, location.line,
                            redact(location.commit) if location.commit is not None else None, location.column)
    return replace(finding, rule=redact(finding.rule), message=redact(finding.message), location=location,
                   evidence=redact(finding.evidence) if finding.evidence is not None else None,
                   fix=redact(finding.fix) if finding.fix is not None else None)


def _figures(figures: Mapping[str, Figure], redact: Redactor) -> dict[str, Figure]:
    return {redact(key): redact(value) if isinstance(value, str) else value for key, value in figures.items()}


def clean(text: str) -> str:
    """Drop ANSI colour codes and replace characters XML and terminals choke on."""
    return _CONTROL.sub("\ufffd", _ANSI.sub("", text))


def cap(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters not shown)"


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def figure_text(value: Figure) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def key_figure(properties: dict[str, Figure] | object) -> str:
    if not isinstance(properties, dict) or not properties:
        return ""
    name, value = next(iter(properties.items()))
    return f"{name}={figure_text(value)}"
