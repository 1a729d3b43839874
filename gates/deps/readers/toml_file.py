"""TOML loading with the parse error turned into a `ParseError` that names the file and line."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from gates.deps.readers import ParseError, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10 only
    import tomli as tomllib


def load(path: Path, display: str) -> tuple[dict[str, Any], str]:
    text = read_text(path, display)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ParseError(display, f"not valid TOML: {exc}", int(match.group(1)) if match else None) from None


def line_of(text: str, *needles: str) -> int | None:
    """The first line that mentions the needle (TOML parsers keep no positions)."""
    for needle in needles:
        index = text.find(needle)
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return None


def table(value: Any, display: str, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(display, f"{where}: expected a table")
    return value


def array(value: Any, display: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(display, f"{where}: expected an array")
    return value
