"""GitHub Actions: workflow-command annotations, the step summary, and step outputs.

Escaping follows the workflow-command rules: in the message `%`, CR and LF are percent-encoded;
in properties `:` and `,` as well. Outputs use the heredoc form with a random delimiter so a
multi-line value can never end the block early.
"""

from __future__ import annotations

import os
import secrets as _random
from collections.abc import Mapping, Sequence
from pathlib import Path

from gates.report import Report, Severity, Status
from gates.reporters import markdown
from gates.reporters.text import clean, redact_reports, redactor_for

# GitHub refuses a step summary over 1 MiB (the whole step's file, not one append) and shows an error.
MAX_STEP_SUMMARY_BYTES = 1024 * 1024
MAX_ANNOTATIONS = 50  # GitHub shows at most 10 errors + 10 warnings per step; keep logs readable


def is_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str) -> str:
    """Annotations attach to repository-relative paths with forward slashes."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def annotation_lines(reports: Sequence[Report]) -> str:
    reports = redact_reports(reports, with_output=False)
    redact = redactor_for(reports)
    lines = []
    for report in reports:
        for check in report.checks:
            if check.status is Status.ERROR:
                text = f"{report.gate}: {check.name}: could not check: {check.summary}"
                lines.append(f"::error title={escape_property(f'gates {report.gate}')}::"
                             f"{escape_data(clean(redact(text)))}")
            for finding in check.findings:
                if finding.severity is Severity.INFO:
                    continue
                level = "error" if check.status is Status.FAILED and finding.severity is Severity.ERROR \
                    else "warning"
                props = [f"title={escape_property(clean(redact(f'{report.gate}/{finding.rule}')))}"]
                if finding.location and finding.location.path:
                    props.insert(0, f"file={escape_property(annotation_path(clean(redact(finding.location.path))))}")
                    # GitHub lines are 1-based; 0 or below would pin the annotation nowhere.
                    if finding.location.line and finding.location.line >= 1:
                        props.insert(1, f"line={finding.location.line}")
                message = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
                lines.append(f"::{level} {','.join(props)}::{escape_data(clean(redact(message)))}")
    if len(lines) > MAX_ANNOTATIONS:
        lines = lines[:MAX_ANNOTATIONS] + [f"::notice::{len(lines) - MAX_ANNOTATIONS} more annotations not shown"]
    return "\n".join(lines) + ("\n" if lines else "")


def append_step_summary(reports: Sequence[Report], environ: Mapping[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    path = env.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            used = os.path.getsize(path)
        except OSError:
            used = 0
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(cap_summary(markdown.format(reports) + "\n", MAX_STEP_SUMMARY_BYTES - used))


def cap_summary(text: str, room: int) -> str:
    """Fit the summary in `room` bytes, cut at a line, and say it was cut."""
    data = text.encode("utf-8")
    if len(data) <= room:
        return text
    note = "\n\n_Summary cut at GitHub's 1 MiB step-summary limit: the JUnit/JSON outputs have every check._\n"
    keep = max(0, room - len(note.encode("utf-8")))
    head = data[:keep].decode("utf-8", "ignore")
    head = head[: head.rfind("\n") + 1] if "\n" in head else ""
    return head + note if len((head + note).encode("utf-8")) <= room else ""


def set_outputs(values: Mapping[str, str], environ: Mapping[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(format_outputs(values))


def format_outputs(values: Mapping[str, str]) -> str:
    chunks = []
    for name, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"gates_{_random.token_hex(8)}"
            while delimiter in value:
                delimiter = f"gates_{_random.token_hex(8)}"
            chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            chunks.append(f"{name}={value}\n")
    return "".join(chunks)


def publish(
    reports: Sequence[Report], outputs: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> str:
    """Under GitHub Actions: write summary and outputs; return the annotation lines for stdout."""
    append_step_summary(reports, environ)
    redact = redactor_for(reports)
    set_outputs({k: redact(v) for k, v in outputs.items()}, environ)
    return annotation_lines(reports)


def result_word(code: int) -> str:
    return {0: "passed", 1: "blocked", 2: "usage-error", 3: "could-not-check"}.get(code, "unknown")


def write_file(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
