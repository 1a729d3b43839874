"""package-lock.json / npm-shrinkwrap.json: v2/v3 `packages` (v1 `dependencies` as a fallback).

Linked workspace packages and the root are the project itself, not registry packages. `dev: true`
is dev; `devOptional` counts as runtime (it ships when optional dependencies install).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.deps.model import NPM, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.json_file import line_of, load


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    if not isinstance(data, dict) or "lockfileVersion" not in data:
        raise ParseError(display, "not an npm lockfile (no `lockfileVersion`)", 1)
    manifest = Manifest(display, "npm")
    packages = data.get("packages")
    if isinstance(packages, dict):
        _read_packages(manifest, packages, display, text)
    elif isinstance(data.get("dependencies"), dict):
        _read_v1(manifest, data["dependencies"], display, text)
    elif data.get("lockfileVersion") not in (1, 2, 3):
        raise ParseError(display, f"unsupported lockfileVersion {data.get('lockfileVersion')!r}", 1)
    return manifest


def _read_packages(manifest: Manifest, packages: dict[str, Any], display: str, text: str) -> None:
    for location, entry in packages.items():
        if location == "" or "node_modules/" not in location:
            continue  # the root project and workspace folders
        line = line_of(text, f'"{location}": {{')
        if not isinstance(entry, dict):
            raise ParseError(display, f"`packages.{location}`: expected an object", line)
        if entry.get("link"):
            continue
        name = entry.get("name") or location.rsplit("node_modules/", 1)[1]
        version = entry.get("version")
        skip = "" if isinstance(version, str) else "no version in the lock"
        manifest.dependencies.append(Dependency(str(name), version if not skip else None, NPM, display, line,
                                                bool(entry.get("dev")), skip_reason=skip))


def _read_v1(manifest: Manifest, dependencies: dict[str, Any], display: str, text: str) -> None:
    for name, entry in dependencies.items():
        if not isinstance(entry, dict):
            raise ParseError(display, f"`dependencies.{name}`: expected an object", line_of(text, f'"{name}"'))
        version = entry.get("version")
        if isinstance(version, str) and not version.startswith(("file:", "git", "http", "link:")):
            manifest.dependencies.append(Dependency(name, version, NPM, display, line_of(text, f'"{name}": {{'),
                                                    bool(entry.get("dev"))))
        nested = entry.get("dependencies")
        if isinstance(nested, dict):
            _read_v1(manifest, nested, display, text)
