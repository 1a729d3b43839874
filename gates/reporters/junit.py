"""JUnit XML through junit-xml: one <testsuite name="gates.<gate>"> per gate, one <testcase> per check.

The root <testsuites> carries only name, time, tests, failures and errors (the Jenkins XSD and the
readers we target agree on those). Measured figures are suite <properties> (`<check>.<figure>`) and
part of the message; file/line attributes are kept for annotation readers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from junit_xml import TestCase, TestSuite

from gates.redact import Redactor
from gates.report import Check, Report, Status
from gates.reporters.text import cap, clean, figure_text, one_line, redact_reports, redactor_for

# Names are table cells in every reader (GitLab, dorny, Jenkins): one line, bounded.
MAX_NAME_CHARS = 300
# The whole file stays well under what CI readers load comfortably (GitLab rejects large reports);
# long outputs share this budget, each still capped by text.MAX_OUTPUT_CHARS.
MAX_TEXT_BUDGET = 8 * 1024 * 1024


def seconds(value: float) -> str:
    """Surefire's time format as the Jenkins XSD allows it: digits and a dot, never an exponent or a sign."""
    if not value or value != value or value < 0 or value == float("inf"):
        return "0.000"
    return f"{value:.3f}"


class _Budget:
    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, text: str) -> str:
        # Once the budget is spent each text still keeps its first KiB: the start says what went wrong.
        text = cap(text, max(self.left, 1024))
        self.left = max(0, self.left - len(text))
        return text


def format(reports: Sequence[Report], name: str = "launch-gates") -> str:
    reports = redact_reports(reports)
    redact = redactor_for(reports)
    budget = _Budget(MAX_TEXT_BUDGET)
    suites = [_suite(report, redact, budget) for report in reports]
    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    elapsed = 0.0
    for suite in suites:
        element = suite.build_xml_doc()
        # junit-xml writes `disabled`, which the Jenkins XSD does not allow on <testsuite>, and the
        # suite time as str(sum) ("1e-05", negative sums): rewrite both to what the XSD accepts.
        element.attrib.pop("disabled", None)
        suite_time = 0.0
        for case in element.iter("testcase"):
            # junit-xml leaves `time` off a zero-duration case; dorny/test-reporter then reads NaN
            # (parseFloat(undefined)) and its totals with it. Every case gets a time.
            value = max(0.0, float(case.get("time") or 0))
            suite_time += value
            case.set("time", seconds(value))
        element.set("time", seconds(suite_time))
        for key in totals:
            totals[key] += int(element.get(key, "0"))
        elapsed += suite_time
        root.append(element)
    root.set("name", clean(redact(name)))
    root.set("time", seconds(elapsed))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _line(redact: Redactor, text: str, limit: int = MAX_NAME_CHARS) -> str:
    return one_line(clean(redact(text)), limit)


def _suite(report: Report, redact: Redactor, budget: _Budget) -> TestSuite:
    gate = _line(redact, report.gate)
    properties = {_line(redact, f"gate.{k}"): clean(redact(figure_text(v))) for k, v in report.metrics.items()}
    cases = []
    seen: set[tuple[str, str]] = set()
    for check in report.checks:
        case = _case(gate, check, redact, seen, budget)
        cases.append(case)
        for key, value in check.properties.items():
            properties[_line(redact, f"{case.name}.{key}", 2 * MAX_NAME_CHARS)] = clean(redact(figure_text(value)))
    return TestSuite(f"gates.{gate}", cases, properties=properties or None)


def _case(gate: str, check: Check, redact: Redactor, seen: set[tuple[str, str]], budget: _Budget) -> TestCase:
    group = _line(redact, check.group)
    classname = f"gates.{gate}.{group}" if group else f"gates.{gate}"
    # Unique within the suite, not only per classname: action-junit-report's check_retries keys
    # retries by name alone and would drop a second "config" check from another group as a retry.
    name = _unique(_line(redact, check.name) or "check", "", seen)
    location = check.location
    case = TestCase(
        name,
        classname=classname,
        elapsed_sec=max(0.0, round(check.duration_s, 6)),
        # GitLab links `[[ATTACHMENT|path]]` in system-out as a job artifact: output we relay is not ours to link.
        stdout=budget.take(cap(clean(redact(check.output)))).replace("[[ATTACHMENT|", "[[ATTACHMENT\u200b|") or None,
        file=_line(redact, location.path, 4096) if location and location.path else None,
        line=location.line if location and location.line and location.line > 0 else None,
    )
    message = clean(redact(one_line(_message(check))))
    details = budget.take(cap(clean(redact(_details(check)))))
    rule = _line(redact, check.findings[0].rule) if check.findings else "gates"
    # GitLab and action-junit-report show the element's text, not its message attribute (GitLab
    # shows an attribute-only element as a raw hash): every outcome carries its text.
    if check.status is Status.FAILED:
        message = message or "failed"
        case.add_failure_info(message=message, output=details or message, failure_type=rule)
    elif check.status is Status.ERROR:
        message = message or "could not evaluate"
        case.add_error_info(message=message, output=details or message, error_type="could-not-evaluate")
    elif check.status is Status.SKIPPED:
        message = message or "skipped"
        case.add_skipped_info(message=message, output=message)
    return case


def _message(check: Check) -> str:
    figures = ", ".join(f"{k}={figure_text(v)}" for k, v in list(check.properties.items())[:4])
    summary = check.summary
    return f"{summary} [{figures}]" if figures and summary else summary or figures


def _details(check: Check) -> str:
    lines = []
    for finding in check.findings:
        where = f" at {finding.location}" if finding.location else ""
        lines.append(f"[{finding.severity.value}] {finding.rule}{where}: {finding.message}")
        if finding.evidence:
            lines.append(f"    evidence: {finding.evidence}")
        if finding.fix:
            lines.append(f"    fix: {finding.fix}")
    return "\n".join(lines)


def _unique(name: str, classname: str, seen: set[tuple[str, str]]) -> str:
    candidate, n = name, 2
    while (classname, candidate) in seen:
        candidate = f"{name} #{n}"
        n += 1
    seen.add((classname, candidate))
    return candidate
