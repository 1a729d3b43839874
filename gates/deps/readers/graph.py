"""Which locked packages only development needs: everything reachable from the runtime roots is
runtime; what is reachable only from dev roots is dev."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def reachable(roots: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(edges.get(name, ()))
    return seen


def dev_only(runtime_roots: Iterable[str], dev_roots: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    return reachable(dev_roots, edges) - reachable(runtime_roots, edges)


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def package_lines(text: str, header: str = "[[package]]") -> dict[str, int]:
    """Line of each `name = "…"` right under a package header (TOML keeps no positions)."""
    lines: dict[str, int] = {}
    in_package = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_package = stripped == header
            continue
        match = re.match(r'name\s*=\s*"([^"]+)"', stripped)
        if in_package and match:
            lines.setdefault(norm(match.group(1)), number)
            in_package = False
    return lines
