"""JSON loading with the decode error turned into a `ParseError` naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gates.deps.readers import ParseError


def load(path: Path, display: str) -> tuple[Any, str]:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise ParseError(display, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None


def line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
