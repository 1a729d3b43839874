"""Poetry's version constraints (`^1.2`, `~1.2.3`, `1.2.*`, `>=1,<2`) as PEP 440 specifiers, so pip
can resolve a Poetry manifest's ranges the way it resolves a requirements file."""

from __future__ import annotations

import re

_VERSION = re.compile(r"^\d+(\.\d+)*$")


def to_pep440(constraint: str) -> str | None:
    """The PEP 440 specifier for a Poetry constraint; "" for any version; None when it has no
    PEP 440 form (alternatives joined with `||`)."""
    text = constraint.strip()
    if text in ("", "*"):
        return ""
    if "||" in text:
        return None
    parts = [_one(part.strip()) for part in re.split(r"\s*,\s*|\s+(?=[<>=!^~])", text) if part.strip()]
    if any(part is None for part in parts):
        return None
    return ",".join(p for p in parts if p)


def _one(part: str) -> str | None:
    if part.startswith("^"):
        return _caret(part[1:].strip())
    if part.startswith("~") and not part.startswith("~="):
        return _tilde(part[1:].strip())
    if part.startswith(("==", ">=", "<=", "!=", "~=", ">", "<")):
        return part.replace(" ", "")
    if part.startswith("="):
        return "=" + part
    if _VERSION.match(part):
        return f"=={part}"
    if re.match(r"^\d+(\.\d+)*\.\*$", part):
        return f"=={part}"
    return None


def _numbers(version: str) -> list[int] | None:
    return [int(n) for n in version.split(".")] if _VERSION.match(version) else None


def _caret(version: str) -> str | None:
    """^1.2.3 → >=1.2.3,<2.0.0; ^0.2.3 → <0.3.0; ^0.0.3 → <0.0.4 (the first non-zero part is bumped)."""
    numbers = _numbers(version)
    if numbers is None:
        return None
    index = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
    upper = numbers[:index] + [numbers[index] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"


def _tilde(version: str) -> str | None:
    """~1.2.3 → >=1.2.3,<1.3.0; ~1.2 → <1.3; ~1 → <2."""
    numbers = _numbers(version)
    if numbers is None:
        return None
    upper = [numbers[0] + 1] if len(numbers) == 1 else [numbers[0], numbers[1] + 1]
    return f">={version},<{'.'.join(map(str, upper))}"
