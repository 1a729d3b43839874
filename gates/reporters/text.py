"""String helpers every reporter shares: redaction with the reports' own secrets, control characters, caps."""

from __future__ import annotations

import re
from collections.abc import Sequence

from gates.redact import Redactor
from gates.report import Figure, Report, all_secrets

# C0 controls but tab/newline/CR, DEL, C1 controls, and what XML 1.0 cannot hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

MAX_OUTPUT_CHARS = 64 * 1024


def redactor_for(reports: Sequence[Report]) -> Redactor:
    return Redactor(all_secrets(reports))


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
