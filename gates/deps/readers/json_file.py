"""JSON loading with the decode error turned into a `ParseError` naming the file and line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gates.deps.readers import ParseError, read_text


def load(path: Path, display: str) -> tuple[Any, str]:
    text = read_text(path, display)
    if not text.strip():
        raise ParseError(display, "empty file (a lockfile is a JSON object)", 1)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise ParseError(display, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None


_OBJECT_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)"\s*:\s*\{')


def object_key_lines(text: str) -> dict[str, int]:
    """The line of the first `"key": {` for every key, in one pass (a 20 MB package-lock.json has
    tens of thousands of entries: searching the text once per entry is quadratic)."""
    lines: dict[str, int] = {}
    line, last = 1, 0
    for match in _OBJECT_KEY.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        lines.setdefault(match.group(1), line)
    return lines


def line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
