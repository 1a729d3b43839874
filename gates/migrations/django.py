"""Django: what can be judged without running the project — RunPython/RunSQL operations without a reverse.

Executing Django migrations needs the project's settings and dependencies, which this version
does not set up (the set stays "found but not executed", never a pass). Reading the migration
files with Python's own parser still finds the operations that make `migrate <app> <previous>`
impossible: `RunPython` without `reverse_code` and `RunSQL` without `reverse_sql`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from gates.report import Finding, Location, Severity

_REVERSE = {"RunPython": "reverse_code", "RunSQL": "reverse_sql"}


def irreversible(folder: Path, root: Path) -> list[Finding]:
    findings = []
    for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            name = _operation(node)
            if name is None:
                continue
            assert isinstance(node, ast.Call)
            keyword = _REVERSE[name]
            given = len(node.args) >= 2 or any(k.arg == keyword for k in node.keywords)
            if not given:
                findings.append(Finding(
                    "django-irreversible", f"{name} without {keyword}: this migration cannot be reversed, so a "
                    "failed deploy cannot be rolled back with `migrate <app> <previous>`", Severity.WARNING,
                    Location(_relative(path, root), node.lineno),
                    fix=f"pass {keyword} (migrations.{name}.noop when nothing needs undoing)",
                ))
    return findings


def _operation(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name if name in _REVERSE else None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
