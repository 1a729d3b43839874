"""JSON output (`--json PATH|-`). The shape is stable; `version` changes only when it breaks.

    {"version": 1, "tool": {...}, "status": "failed", "exit_code": 1,
     "gates": [{"gate", "status", "exit_code", "duration_s", "metrics",
                "checks": [{"name", "group", "status", "duration_s", "message", "properties", "output",
                            "findings": [{"rule", "severity", "message", "location": {"path", "line",
                                          "commit"} | null, "evidence", "fix"}]}]}]}
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from gates import __version__
from gates.redact import Redactor
from gates.report import Check, Finding, Report, combine_exit_codes
from gates.reporters.text import cap, redact_reports, redactor_for

VERSION = 1


def format(reports: Sequence[Report], exit_code: int | None = None) -> str:
    reports = redact_reports(reports)
    redact = redactor_for(reports)
    code = combine_exit_codes(r.exit_code for r in reports) if exit_code is None else exit_code
    document = {
        "version": VERSION,
        "tool": {"name": "launch-gates", "version": __version__},
        "status": _overall(reports),
        "exit_code": code,
        "gates": [_gate(report, redact) for report in reports],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _overall(reports: Sequence[Report]) -> str:
    statuses = {r.status.value for r in reports}
    for status in ("failed", "error", "passed"):
        if status in statuses:
            return status
    return "skipped"


def _gate(report: Report, redact: Redactor) -> dict[str, Any]:
    return {
        "gate": report.gate,
        "status": report.status.value,
        "exit_code": report.exit_code,
        "duration_s": _number(round(report.duration_s, 6)),
        "metrics": _figures(report.metrics, redact),
        "checks": [_check(check, redact) for check in report.checks],
    }


def _check(check: Check, redact: Redactor) -> dict[str, Any]:
    return {
        "name": redact(check.name),
        "group": check.group,
        "status": check.status.value,
        "duration_s": _number(round(check.duration_s, 6)),
        "message": redact(check.summary),
        "properties": _figures(check.properties, redact),
        "output": cap(redact(check.output)),
        "findings": [_finding(f, redact) for f in check.findings],
    }


def _finding(finding: Finding, redact: Redactor) -> dict[str, Any]:
    location = finding.location
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": redact(finding.message),
        "location": None
        if location is None
        else {"path": redact(location.path or "") or None, "line": location.line, "commit": location.commit},
        "evidence": redact(finding.evidence) if finding.evidence else None,
        "fix": redact(finding.fix) if finding.fix else None,
    }


def _figures(figures: Any, redact: Redactor) -> dict[str, Any]:
    return {redact(k): redact(v) if isinstance(v, str) else _number(v) for k, v in dict(figures).items()}


def _number(value: Any) -> Any:
    """NaN and infinities are not JSON (json.dumps would write the bare word NaN): they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
