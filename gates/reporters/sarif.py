"""SARIF 2.1.0 for findings with a file location (GitHub code scanning, IDEs).

One run, tool.driver "launch-gates" with a rule per `<gate>/<rule>`. `partialFingerprints` are
built from gate, rule, path and the redacted evidence (or message) — never the line — so code
scanning keeps one alert per secret or risk while the file around it changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from gates import __version__
from gates.redact import Redactor
from gates.report import Finding, Report, Severity
from gates.reporters.text import clean, one_line, redactor_for

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "launchGates/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def format(reports: Sequence[Report]) -> str:
    redact = redactor_for(reports)
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for report in reports:
        for check in report.checks:
            for finding in check.findings:
                if finding.location is None or not finding.location.path:
                    continue
                rule_id = f"{report.gate}/{finding.rule}"
                rules.setdefault(rule_id, _rule(rule_id, finding, redact))
                results.append(_result(rule_id, finding, redact))
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "launch-gates",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/launch-gates/",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(rule_id: str, finding: Finding, redact: Redactor) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id.replace("/", "-"),
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
    }
    if finding.fix:
        rule["help"] = {"text": clean(redact(finding.fix))}
    return rule


def _result(rule_id: str, finding: Finding, redact: Redactor) -> dict[str, Any]:
    assert finding.location is not None and finding.location.path
    location = finding.location
    path = location.path.replace("\\", "/").lstrip("/") if location.path else ""
    physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
    if location.line:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column:
            region["startColumn"] = location.column
        physical["region"] = region
    message = clean(redact(finding.message))
    if finding.fix:
        message += f" Fix: {clean(redact(finding.fix))}"
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "level": _LEVEL[finding.severity],
        "message": {"text": one_line(message, 1000)},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(rule_id, path, finding, redact)},
    }
    if location.commit:
        result["properties"] = {"commit": location.commit}
    return result


def fingerprint(rule_id: str, path: str, finding: Finding, redact: Redactor) -> str:
    basis = redact(finding.evidence) if finding.evidence else redact(finding.message)
    digest = hashlib.sha256("\0".join((rule_id, path, basis)).encode()).hexdigest()
    return digest[:32]
