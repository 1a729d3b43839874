"""package-lock.json / npm-shrinkwrap.json: v2/v3 `packages` (v1 `dependencies` as a fallback).

Linked workspace packages and the root are the project itself, not registry packages. `dev: true`
is dev; `devOptional` counts as runtime (it ships when optional dependencies install). An alias
(`"foo": "npm:bar@1.0.0"`) is audited under the real package, `bar`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.deps.model import NPM, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.json_file import load, object_key_lines

_LOCAL = ("file:", "link:")
_REMOTE = ("git", "http:", "https:", "github:", "gitlab:", "bitbucket:")


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    if not isinstance(data, dict) or "lockfileVersion" not in data:
        raise ParseError(display, "not an npm lockfile (no `lockfileVersion`)", 1)
    manifest = Manifest(display, "npm")
    lines = object_key_lines(text)
    packages = data.get("packages")
    if isinstance(packages, dict):
        _read_packages(manifest, packages, display, lines)
    elif isinstance(data.get("dependencies"), dict):
        _read_v1(manifest, data["dependencies"], display, lines)
    elif data.get("lockfileVersion") not in (1, 2, 3):
        raise ParseError(display, f"unsupported lockfileVersion {data.get('lockfileVersion')!r}", 1)
    return manifest


def _read_packages(manifest: Manifest, packages: dict[str, Any], display: str, lines: dict[str, int]) -> None:
    for location, entry in packages.items():
        if location == "" or "node_modules/" not in location:
            continue  # the root project and workspace folders
        line = lines.get(location)
        if not isinstance(entry, dict):
            raise ParseError(display, f"`packages.{location}`: expected an object", line)
        if entry.get("link"):
            continue
        name = entry.get("name") or location.rsplit("node_modules/", 1)[1]
        version = entry.get("version")
        resolved = entry.get("resolved")
        skip, local = "", False
        if not isinstance(version, str):
            skip = "no version in the lock"
        elif isinstance(resolved, str) and resolved.startswith(_LOCAL):
            skip, local = "local path", True
        elif isinstance(resolved, str) and resolved.startswith(("git", "github:")):
            skip = "git source"
        manifest.dependencies.append(Dependency(str(name), None if skip else version, NPM, display, line,
                                                bool(entry.get("dev")), skip_reason=skip, local=local))


def _read_v1(manifest: Manifest, dependencies: dict[str, Any], display: str, lines: dict[str, int]) -> None:
    for name, entry in dependencies.items():
        line = lines.get(name)
        if not isinstance(entry, dict):
            raise ParseError(display, f"`dependencies.{name}`: expected an object", line)
        version = entry.get("version")
        dev = bool(entry.get("dev"))
        if isinstance(version, str) and version.startswith("npm:"):
            # An alias: `"foo": {"version": "npm:bar@1.0.0"}` installs bar 1.0.0 under the name foo.
            real, _, version = version[4:].rpartition("@")
            manifest.dependencies.append(Dependency(real or name, version, NPM, display, line, dev))
        elif isinstance(version, str) and version.startswith(_LOCAL):
            manifest.dependencies.append(Dependency(name, None, NPM, display, line, dev,
                                                    skip_reason="local path", local=True))
        elif isinstance(version, str) and version.startswith(_REMOTE):
            manifest.dependencies.append(Dependency(name, None, NPM, display, line, dev,
                                                    skip_reason="git or URL source"))
        elif isinstance(version, str):
            manifest.dependencies.append(Dependency(name, version, NPM, display, line, dev))
        else:
            manifest.dependencies.append(Dependency(name, None, NPM, display, line, dev,
                                                    skip_reason="no version in the lock"))
        nested = entry.get("dependencies")
        if isinstance(nested, dict):
            _read_v1(manifest, nested, display, lines)
