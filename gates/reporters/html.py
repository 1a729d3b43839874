"""The launch-readiness report: every gate's result side by side, one self-contained HTML page.

No scripts, fonts or images from anywhere: it must open from an e-mail attachment or a CI artifact
with no network. Every string is redacted and escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from gates import __version__
from gates.redact import Redactor
from gates.report import Check, Report, Status, combine_exit_codes
from gates.reporters.text import clean, figure_text, one_line, redact_reports, redactor_for

# A page someone reads: beyond these, the JUnit/JSON outputs have the rest.
MAX_FIXES_PER_GATE = 50
MAX_NAME_CHARS = 300
VERDICT = {0: ("Ready to launch", "pass"), 1: ("Blocked", "fail"), 3: ("Could not check everything", "error"),
           2: ("Configuration error", "error")}
LABEL = {Status.PASSED: "passed", Status.FAILED: "blocks", Status.ERROR: "could not check", Status.SKIPPED: "skipped"}
CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{padding:24px 32px;color:#fff}
header.pass{background:#1f7a3f}header.fail{background:#b42318}header.error{background:#b54708}
header h1{margin:0 0 4px;font-size:26px}header p{margin:0;opacity:.9}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px;padding:20px 32px}
section{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:16px 18px;overflow:hidden}
section h2{margin:0 0 8px;font-size:18px;display:flex;justify-content:space-between;align-items:center}
.badge{font-size:12px;padding:2px 8px;border-radius:10px;color:#fff;white-space:nowrap}
.passed{background:#1f7a3f}.failed{background:#b42318}.error{background:#b54708}.skipped{background:#667085}
table{width:100%;border-collapse:collapse;font-size:13px}td,th{text-align:left;padding:4px 6px;vertical-align:top;
border-top:1px solid #eaecf0;overflow-wrap:anywhere}th{color:#475467;font-weight:600}
.figures{color:#475467;font-size:13px;margin:0 0 8px}.fix{background:#fef3f2;border-left:3px solid #b42318;
padding:6px 8px;margin:6px 0;font-size:13px}.fix b{color:#b42318}code{font-size:12px;word-break:break-all}
footer{padding:8px 32px 24px;color:#667085;font-size:12px}
"""


def format(reports: Sequence[Report], title: str = "Launch readiness", exit_code: int | None = None) -> str:
    reports = redact_reports(reports, with_output=False)
    redact = redactor_for(reports)
    code = combine_exit_codes(r.exit_code for r in reports) if exit_code is None else exit_code
    verdict, css_class = VERDICT.get(code, VERDICT[3])
    blocked = [r.gate for r in reports if r.status is Status.FAILED]
    unchecked = [r.gate for r in reports if r.status is Status.ERROR]
    summary = ", ".join(
        part for part in (f"blocked by {', '.join(blocked)}" if blocked else "",
                          f"not checked: {', '.join(unchecked)}" if unchecked else "") if part
    ) or "every gate that ran passed"
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = "\n".join(_gate(report, redact) for report in reports)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)}: {escape(verdict)}</title><style>{CSS}</style></head><body>"
        f"<header class=\"{css_class}\"><h1>{escape(title)}: {escape(verdict)}</h1>"
        f"<p>{escape(summary)} · exit code {code} · {escape(when)}</p></header>"
        f"<main>{sections}</main>"
        f"<footer>Launch Gates {escape(__version__)}. Secrets are shown only as prefix, length and hash.</footer>"
        "</body></html>\n"
    )


def _text(redact: Redactor, value: str) -> str:
    return escape(clean(redact(value)))


def _gate(report: Report, redact: Redactor) -> str:
    status = report.status
    figures = ", ".join(f"{k} = {figure_text(v)}" for k, v in report.metrics.items())
    rows = "".join(_row(check, redact) for check in report.checks)
    failed = [
        finding
        for check in report.checks
        if check.status is Status.FAILED
        for finding in check.findings[:20]
        if finding.fix
    ]
    fixes = "".join(
        f"<div class=\"fix\"><b>{_text(redact, finding.rule)}</b>"
        f"{' at <code>' + _text(redact, str(finding.location)) + '</code>' if finding.location else ''}: "
        f"{_text(redact, one_line(finding.message, 400))}<br>Fix: {_text(redact, finding.fix or '')}</div>"
        for finding in failed[:MAX_FIXES_PER_GATE]
    )
    if len(failed) > MAX_FIXES_PER_GATE:
        fixes += f"<p class=\"figures\">{len(failed) - MAX_FIXES_PER_GATE} more fixes in the JSON/JUnit output</p>"
    return (
        f"<section id=\"gate-{escape(report.gate)}\"><h2>{escape(report.gate)}"
        f"<span class=\"badge {status.value}\">{LABEL[status]}</span></h2>"
        + (f"<p class=\"figures\">{_text(redact, figures)}</p>" if figures else "")
        + f"<table><tr><th>check</th><th>result</th><th>figures</th><th>details</th></tr>{rows}</table>{fixes}"
        "</section>"
    )


def _row(check: Check, redact: Redactor) -> str:
    figures = ", ".join(f"{k}={figure_text(v)}" for k, v in list(check.properties.items())[:4])
    return (
        f"<tr><td>{_text(redact, one_line(check.name, MAX_NAME_CHARS))}</td>"
        f"<td><span class=\"badge {check.status.value}\">{LABEL[check.status]}</span></td>"
        f"<td>{_text(redact, figures)}</td><td>{_text(redact, one_line(check.summary, 300))}</td></tr>"
    )
