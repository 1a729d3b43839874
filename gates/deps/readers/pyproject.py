"""pyproject.toml: PEP 621 `[project]`, PEP 735 `[dependency-groups]` and Poetry's tables.

A manifest, not a lock: most entries are ranges, audited as unpinned. Optional dependencies
(extras) count as runtime; dependency groups and Poetry groups other than `main` count as dev.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.poetry_constraints import to_pep440
from gates.deps.readers.requirements import parse_requirement
from gates.deps.readers.toml_file import array, line_of, load, table


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    manifest = Manifest(display, "pyproject")
    project = table(data.get("project"), display, "[project]")
    for item in array(project.get("dependencies"), display, "[project] dependencies"):
        manifest.dependencies.append(_pep508(item, display, text, dev=False))
    for extra, items in table(project.get("optional-dependencies"), display, "[project.optional-dependencies]").items():
        for item in array(items, display, f"[project.optional-dependencies] {extra}"):
            manifest.dependencies.append(_pep508(item, display, text, dev=False))
    for group, items in table(data.get("dependency-groups"), display, "[dependency-groups]").items():
        for item in array(items, display, f"[dependency-groups] {group}"):
            if isinstance(item, dict):
                continue  # {include-group = "..."}: its members are listed under that group
            manifest.dependencies.append(_pep508(item, display, text, dev=True))
    poetry = table(table(data.get("tool"), display, "[tool]").get("poetry"), display, "[tool.poetry]")
    _poetry(manifest, poetry, display, text)
    return manifest


def _pep508(item: Any, display: str, text: str, dev: bool) -> Dependency:
    if not isinstance(item, str):
        raise ParseError(display, f"dependency {item!r}: expected a PEP 508 string")
    return parse_requirement(item, display, line_of(text, f'"{item}"', f"'{item}'", item), dev)


def _poetry(manifest: Manifest, poetry: dict[str, Any], display: str, text: str) -> None:
    sections: list[tuple[dict[str, Any], bool]] = [
        (table(poetry.get("dependencies"), display, "[tool.poetry.dependencies]"), False),
        (table(poetry.get("dev-dependencies"), display, "[tool.poetry.dev-dependencies]"), True),
    ]
    for name, group in table(poetry.get("group"), display, "[tool.poetry.group]").items():
        deps = table(table(group, display, f"[tool.poetry.group.{name}]").get("dependencies"), display,
                     f"[tool.poetry.group.{name}.dependencies]")
        sections.append((deps, name != "main"))
    for deps, dev in sections:
        for name, constraint in deps.items():
            if name.lower() == "python":
                continue
            manifest.dependencies.append(_poetry_dependency(name, constraint, display, text, dev))


def _poetry_dependency(name: str, constraint: Any, display: str, text: str, dev: bool) -> Dependency:
    line = line_of(text, f"\n{name} =", f"\n{name}=", f'"{name}"')
    if isinstance(constraint, list):
        constraint = constraint[0] if len(constraint) == 1 else {}
    if isinstance(constraint, dict):
        if any(key in constraint for key in ("git", "path", "url")):
            local = "path" in constraint and not any(key in constraint for key in ("git", "url"))
            return Dependency(name, None, PYPI, display, line, dev, skip_reason="git, path or URL source",
                              local=local)
        constraint = constraint.get("version", "*")
    if not isinstance(constraint, str):
        raise ParseError(display, f"[tool.poetry] {name}: expected a version string or a table", line)
    version = _poetry_pin(constraint.strip())
    specifier = to_pep440(constraint)
    if specifier is None:
        # `^1 || ^2` has no PEP 440 form: resolving the name alone would audit some other version.
        return Dependency(name, version, PYPI, display, line, dev, spec=name,
                          skip_reason="" if version else f"constraint {constraint!r} has no PEP 440 form")
    return Dependency(name, version, PYPI, display, line, dev, spec=f"{name}{specifier}")


def _poetry_pin(constraint: str) -> str | None:
    """Poetry reads a bare version ("1.2.3") and "==1.2.3" as exact pins."""
    text = constraint[2:].strip() if constraint.startswith("==") else constraint
    if not text or any(ch in text for ch in "^~<>=!*, |"):
        return None
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return None
    return text
