"""pylock.toml (PEP 751): `[[packages]]` with name and version. A package whose marker only
selects it for dependency groups outside `default-groups` counts as dev."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.graph import norm, package_lines
from gates.deps.readers.toml_file import array, load, table

_GROUP_IN_MARKER = re.compile(r"""['"]([^'"]+)['"]\s+in\s+dependency_groups""")


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    if "lock-version" not in data:
        raise ParseError(display, "not a PEP 751 lock (no `lock-version`)", 1)
    default_groups = set(array(data.get("default-groups"), display, "default-groups"))
    lines = package_lines(text, "[[packages]]")
    manifest = Manifest(display, "pylock")
    for index, raw in enumerate(array(data.get("packages"), display, "[[packages]]")):
        package = table(raw, display, f"[[packages]] #{index + 1}")
        name = package.get("name")
        if not isinstance(name, str):
            raise ParseError(display, f"[[packages]] #{index + 1}: no string name")
        version = package.get("version")
        skip = "VCS, directory or archive source" if any(k in package for k in ("vcs", "directory", "archive")) else ""
        archive = package.get("archive")
        local = "directory" in package or (isinstance(archive, dict) and "path" in archive and "url" not in archive)
        if not isinstance(version, str):
            version, skip = None, skip or "no version in the lock"
        manifest.dependencies.append(Dependency(name, version, PYPI, display, lines.get(norm(name)),
                                                _is_dev(package, default_groups), skip_reason=skip,
                                                local=local and bool(skip)))
    return manifest


def _is_dev(package: dict[str, Any], default_groups: set[str]) -> bool:
    marker = package.get("marker")
    if not isinstance(marker, str):
        return False
    groups = set(_GROUP_IN_MARKER.findall(marker))
    return bool(groups) and not groups & default_groups
