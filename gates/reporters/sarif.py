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
from urllib.parse import quote

from gates import __version__
from gates.redact import Redactor
from gates.report import Finding, Report, Severity
from gates.reporters.text import clean, one_line, redact_reports, redactor_for

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "launchGates/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub code scanning rejects a run with more than 25,000 results.
MAX_RESULTS = 25_000
# Gates whose findings are security risks: code scanning shows a severity only for rules tagged
# "security" that carry `security-severity` (a number 0.0-10.0 written as a string).
SECURITY_GATES = frozenset({"secrets", "deps"})
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
# RFC 3986 pchar plus "/": everything else (spaces, non-ASCII, "%", "#", "?") is percent-encoded.
_URI_SAFE = "/-._~!$&'()*+,;=:@"


def artifact_uri(path: str) -> str:
    """A relative URI reference for a repository path: forward slashes, percent-encoded as RFC 3986 asks."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path.lstrip("/"), safe=_URI_SAFE)


def format(reports: Sequence[Report]) -> str:
    reports = redact_reports(reports, with_output=False)
    redact = redactor_for(reports)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for report in reports:
        for check in report.checks:
            for finding in check.findings:
                if finding.location is None or not finding.location.path:
                    continue
                rule_id = f"{report.gate}/{finding.rule}"
                rules.setdefault(rule_id, _rule(rule_id, finding, redact, report.gate in SECURITY_GATES))
                results.append(_result(rule_id, finding, redact))
    # Keep the most severe when over GitHub's limit (sorted is stable: report order otherwise).
    if len(results) > MAX_RESULTS:
        order = {"error": 0, "warning": 1, "note": 2}
        results = sorted(results, key=lambda r: order[r["level"]])[:MAX_RESULTS]
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


def _rule(rule_id: str, finding: Finding, redact: Redactor, security: bool) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id.replace("/", "-"),
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        # Code scanning shows help on the alert page; without a fix the rule id is all we know.
        "help": {"text": clean(redact(finding.fix)) if finding.fix else f"Launch Gates rule {rule_id}."},
    }
    if security:
        rule["properties"] = {"tags": ["security"], "security-severity": _SECURITY_SEVERITY[finding.severity]}
    return rule


def _result(rule_id: str, finding: Finding, redact: Redactor) -> dict[str, Any]:
    assert finding.location is not None and finding.location.path
    location = finding.location
    path = artifact_uri(clean(redact(location.path or "")))
    physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}
    # SARIF regions are 1-based; a line 0 or below would make GitHub reject the whole upload.
    if location.line and location.line >= 1:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column and location.column >= 1:
            region["startColumn"] = location.column
        physical["region"] = region
    message = clean(redact(finding.message)) or rule_id
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
        result["properties"] = {"commit": clean(redact(location.commit))}
    return result


def fingerprint(rule_id: str, path: str, finding: Finding, redact: Redactor) -> str:
    basis = redact(finding.evidence) if finding.evidence else redact(finding.message)
    digest = hashlib.sha256("\0".join((rule_id, path, basis)).encode()).hexdigest()
    return digest[:32]
