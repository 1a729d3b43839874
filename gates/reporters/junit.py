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
from gates.reporters.text import cap, clean, figure_text, one_line, redactor_for


def format(reports: Sequence[Report], name: str = "launch-gates") -> str:
    redact = redactor_for(reports)
    suites = [_suite(report, redact) for report in reports]
    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    elapsed = 0.0
    for suite in suites:
        element = suite.build_xml_doc()
        for key in totals:
            totals[key] += int(element.get(key, "0"))
        elapsed += float(element.get("time", "0") or 0)
        root.append(element)
    root.set("name", name)
    root.set("time", f"{elapsed:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(report: Report, redact: Redactor) -> TestSuite:
    properties = {f"gate.{k}": clean(redact(figure_text(v))) for k, v in report.metrics.items()}
    cases = []
    seen: set[tuple[str, str]] = set()
    for check in report.checks:
        case = _case(report.gate, check, redact, seen)
        cases.append(case)
        for key, value in check.properties.items():
            properties[f"{case.name}.{key}"] = clean(redact(figure_text(value)))
    return TestSuite(f"gates.{report.gate}", cases, properties=properties or None)


def _case(gate: str, check: Check, redact: Redactor, seen: set[tuple[str, str]]) -> TestCase:
    classname = f"gates.{gate}.{check.group}" if check.group else f"gates.{gate}"
    name = _unique(clean(redact(check.name)) or "check", classname, seen)
    location = check.location
    case = TestCase(
        name,
        classname=classname,
        elapsed_sec=round(check.duration_s, 6),
        stdout=cap(clean(redact(check.output))) or None,
        file=clean(redact(location.path)) if location and location.path else None,
        line=location.line if location and location.line else None,
    )
    message = clean(redact(one_line(_message(check))))
    details = cap(clean(redact(_details(check))))
    rule = check.findings[0].rule if check.findings else "gates"
    if check.status is Status.FAILED:
        case.add_failure_info(message=message or "failed", output=details or None, failure_type=rule)
    elif check.status is Status.ERROR:
        case.add_error_info(message=message or "could not evaluate", output=details or None,
                            error_type="could-not-evaluate")
    elif check.status is Status.SKIPPED:
        case.add_skipped_info(message=message or "skipped")
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
