"""Pipfile.lock: `default` is runtime, `develop` is dev; versions are written "==X"."""

from __future__ import annotations

from pathlib import Path

from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError
from gates.deps.readers.json_file import line_of, load


def read(path: Path, display: str) -> Manifest:
    data, text = load(path, display)
    if not isinstance(data, dict) or not any(key in data for key in ("default", "develop")):
        raise ParseError(display, "not a Pipfile.lock (no `default` or `develop` section)", 1)
    manifest = Manifest(display, "pipfile")
    for section, dev in (("default", False), ("develop", True)):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise ParseError(display, f"`{section}`: expected an object", line_of(text, f'"{section}"'))
        for name, entry in entries.items():
            line = line_of(text, f'"{name}": {{')
            if not isinstance(entry, dict):
                raise ParseError(display, f"`{section}.{name}`: expected an object", line)
            version = entry.get("version")
            if isinstance(version, str) and version.startswith("=="):
                manifest.dependencies.append(Dependency(name, version[2:], PYPI, display, line, dev))
            else:
                reason = "git, path or URL source" if any(k in entry for k in ("git", "path", "file")) else ""
                local = "path" in entry and not any(k in entry for k in ("git", "file"))
                manifest.dependencies.append(
                    Dependency(name, None, PYPI, display, line, dev, spec=name, skip_reason=reason, local=local)
                )
    return manifest
