"""uv.lock: registry packages are pinned; the project itself (editable/virtual source) is the root
whose `dev-dependencies` groups mark what only development needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.graph import dev_only, norm, package_lines
from gates.deps.readers.toml_file import array, load, table

_ROOT_SOURCES = ("editable", "virtual")
_UNAUDITABLE_SOURCES = ("git", "path", "directory", "url")
_LOCAL_SOURCES = ("path", "directory")


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    packages = [table(p, display, "[[package]]") for p in array(data.get("package"), display, "[[package]]")]
    lines = package_lines(text)
    edges: dict[str, list[str]] = {}
    runtime_roots: list[str] = []
    dev_roots: list[str] = []
    for package in packages:
        name = package.get("name")
        if not isinstance(name, str):
            raise ParseError(display, "[[package]] without a string name")
        # A forked resolution locks one name at several versions: their edges add up.
        own = _names(package.get("dependencies"), display)
        for extra in table(package.get("optional-dependencies"), display, f"{name} optional-dependencies").values():
            own += _names(extra, display)
        edges.setdefault(norm(name), []).extend(own)
        if _is_root(package):
            runtime_roots.extend(own)
            for group in table(package.get("dev-dependencies"), display, f"{name} dev-dependencies").values():
                dev_roots.extend(_names(group, display))
    dev = dev_only(runtime_roots, dev_roots, edges)
    manifest = Manifest(display, "uv")
    for package in packages:
        if _is_root(package):
            continue
        name = package["name"]
        version = package.get("version")
        source = table(package.get("source"), display, f"{name} source")
        skip = next((f"{kind} source" for kind in _UNAUDITABLE_SOURCES if kind in source), "")
        local = any(kind in source for kind in _LOCAL_SOURCES)
        if not isinstance(version, str):
            version, skip = None, skip or "no version in the lock"
        manifest.dependencies.append(
            Dependency(name, version, PYPI, display, lines.get(norm(name)), norm(name) in dev, skip_reason=skip,
                       local=local)
        )
    return manifest


def _is_root(package: dict[str, Any]) -> bool:
    source = package.get("source")
    return isinstance(source, dict) and any(kind in source for kind in _ROOT_SOURCES)


def _names(items: Any, display: str) -> list[str]:
    return [norm(str(item["name"])) for item in array(items, display, "dependencies")
            if isinstance(item, dict) and "name" in item]
