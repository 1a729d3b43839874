"""poetry.lock: every `[[package]]` pinned. Dev packages from `groups` (Poetry 2), `category`
(Poetry < 1.5), or else by reachability from the pyproject.toml beside the lock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.graph import dev_only, norm, package_lines
from gates.deps.readers.toml_file import array, load, table


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    packages = array(data.get("package"), display, "[[package]]")
    lines = package_lines(text)
    manifest = Manifest(display, "poetry")
    dev_names = _dev_by_pyproject(path.parent / "pyproject.toml", packages, display)
    for index, package in enumerate(packages):
        package = table(package, display, f"[[package]] #{index + 1}")
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            raise ParseError(display, f"[[package]] #{index + 1}: name and version must be strings",
                             lines.get(norm(str(name))))
        dev = _is_dev(package, norm(name), dev_names)
        source = table(package.get("source"), display, f"[[package]] {name} source")
        skip = f"{source.get('type')} source" if source.get("type") in ("git", "directory", "file", "url") else ""
        manifest.dependencies.append(Dependency(name, version, PYPI, display, lines.get(norm(name)), dev,
                                                skip_reason=skip, local=source.get("type") in ("directory", "file")))
    return manifest


def _is_dev(package: dict[str, Any], name: str, dev_names: set[str] | None) -> bool:
    groups = package.get("groups")
    if isinstance(groups, list):
        return "main" not in groups
    category = package.get("category")
    if isinstance(category, str):
        return category == "dev"
    return dev_names is not None and name in dev_names


def _dev_by_pyproject(pyproject: Path, packages: list[Any], display: str) -> set[str] | None:
    if not pyproject.is_file() or any(isinstance(p, dict) and ("groups" in p or "category" in p) for p in packages):
        return None
    try:
        data, _ = load(pyproject, str(pyproject))
    except ParseError:
        return None  # the lock is still readable; without the manifest every package counts as runtime
    poetry = table(table(data.get("tool"), display, "[tool]").get("poetry"), display, "[tool.poetry]")
    runtime = {norm(n) for n in table(poetry.get("dependencies"), display, "dependencies") if n != "python"}
    runtime |= {norm(_pep508_name(item)) for item in (data.get("project") or {}).get("dependencies") or ()}
    dev = {norm(n) for n in table(poetry.get("dev-dependencies"), display, "dev-dependencies")}
    for group_name, group in table(poetry.get("group"), display, "group").items():
        names = {norm(n) for n in table(table(group, display, group_name).get("dependencies"), display, group_name)}
        (runtime if group_name == "main" else dev).update(names)
    edges: dict[str, list[str]] = {}
    for package in packages:
        if isinstance(package, dict) and isinstance(package.get("name"), str):
            # One name locked twice (per-marker versions): the edges of both count.
            edges.setdefault(norm(package["name"]), []).extend(
                norm(d) for d in table(package.get("dependencies"), display, "dependencies"))
    return dev_only(runtime, dev, edges)


def _pep508_name(item: Any) -> str:
    import re

    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._\-]*)", str(item))
    return match.group(1) if match else str(item)
