"""The online path: pip-audit's CLI with JSON output, never trusted by its exit code.

pip-audit exits 0 when it could not reach PyPI (every package "could not be audited") and 1 both
for "vulnerable" and for an unreachable OSV service. So the JSON report is the only truth: every
dependency we asked about must come back audited, or it is listed as not audited (check error).
Only pip-audit's public command line is used, so no pin on its private modules is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.deps.model import PYPI, Dependency, Vulnerability, normalize
from gates.redact import redact


@dataclass
class OnlineResult:
    vulnerabilities: dict[Dependency, list[Vulnerability]] = field(default_factory=dict)
    resolved: list[Dependency] = field(default_factory=list)  # what pip-audit resolved unpinned specs to
    not_audited: dict[str, str] = field(default_factory=dict)  # "name version" -> why


def audit_pinned(dependencies: Sequence[Dependency], service: str, timeout: float,
                 osv_url: str | None = None) -> OnlineResult:
    """Audit exact pins without resolving (pip-audit --no-deps --disable-pip).

    pip-audit refuses a requirements file that names a package twice, so two files pinning
    different versions of one package are audited in separate runs (one per "layer" of pins).
    """
    result = OnlineResult()
    by_key: dict[tuple[str, str], list[Dependency]] = {}
    for dependency in dependencies:
        if _version_key(str(dependency.version)) == "":
            # pip-audit rejects the whole requirements file over one `===weird` pin: keep it out of the batch.
            result.not_audited[f"{dependency.name} {dependency.version}"] = "not a PEP 440 version"
            continue
        by_key.setdefault((dependency.key, _version_key(str(dependency.version))), []).append(dependency)
    for batch in _batches(list(by_key)):
        _audit_batch({key: by_key[key] for key in batch}, service, timeout, osv_url, result)
    return result


def _version_key(text: str) -> str:
    """pip-audit reports the normalized version ("1.0.0-rc1" pinned comes back "1.0.0rc1")."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(text))
    except InvalidVersion:
        return ""


def _batches(keys: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    batches: list[list[tuple[str, str]]] = []
    for key in keys:
        target = next((b for b in batches if all(other[0] != key[0] for other in b)), None)
        if target is None:
            batches.append(target := [])
        target.append(key)
    return batches


def _audit_batch(by_key: dict[tuple[str, str], list[Dependency]], service: str, timeout: float,
                 osv_url: str | None, result: OnlineResult) -> None:
    lines = sorted(f"{deps[0].name}=={deps[0].version}" for deps in by_key.values())
    report, error = _run(lines, service, timeout, resolve=False, osv_url=osv_url)
    if report is None:
        for deps in by_key.values():
            for dependency in deps:
                result.not_audited[f"{dependency.name} {dependency.version}"] = error
        return
    audited: set[tuple[str, str]] = set()
    for entry in report:
        name = normalize(str(entry.get("name", "")), PYPI)
        key = (name, _version_key(str(entry.get("version", ""))) or str(entry.get("version", "")))
        if entry.get("skip_reason") or key not in by_key:
            # A skipped entry carries no version: the reason applies to the pin of that name.
            for (other, _), deps in by_key.items():
                if other == name and "version" not in entry:
                    for dependency in deps:
                        result.not_audited[f"{dependency.name} {dependency.version}"] = str(
                            entry.get("skip_reason") or "not in the request")
            continue
        audited.add(key)
        for dependency in by_key[key]:
            result.vulnerabilities[dependency] = _vulnerabilities(dependency, entry)
    for key, deps in by_key.items():
        if key not in audited:
            result.not_audited.setdefault(f"{deps[0].name} {deps[0].version}", "missing from pip-audit's report")


def audit_resolved(specs: Sequence[Dependency], service: str, timeout: float,
                   osv_url: str | None = None, index_options: Sequence[str] = ()) -> OnlineResult:
    """Resolve unpinned requirements the way pip-audit does (pip in a throwaway venv), then audit.
    The file's own index lines (private indexes, credentials included) go along, in a temporary file."""
    result = OnlineResult()
    if not specs:
        return result
    first = specs[0]
    lines = [*index_options, *_merged_specs(specs)]
    report, error = _run(lines, service, timeout, resolve=True, osv_url=osv_url)
    if report is None:
        for dependency in specs:
            result.not_audited[dependency.spec or dependency.name] = error
        return result
    for entry in report:
        name, version = str(entry.get("name", "")), entry.get("version")
        if entry.get("skip_reason") or not isinstance(version, str):
            result.not_audited[f"{name} {version or ''}".strip()] = str(entry.get("skip_reason") or "no version")
            continue
        dependency = Dependency(name, version, PYPI, first.path, None, first.dev)
        result.resolved.append(dependency)
        result.vulnerabilities[dependency] = _vulnerabilities(dependency, entry)
    return result


def _merged_specs(specs: Sequence[Dependency]) -> list[str]:
    """One line per package (pip-audit rejects a name twice): `flask>=1` and `flask<3` → `flask<3,>=1`."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import SpecifierSet

    merged: dict[str, tuple[str, SpecifierSet]] = {}
    for dependency in specs:
        try:
            specifier = Requirement(dependency.spec or dependency.name).specifier
        except InvalidRequirement:
            specifier = SpecifierSet()
        name, current = merged.get(dependency.key, (dependency.name, SpecifierSet()))
        merged[dependency.key] = (name, current & specifier)
    return sorted(f"{name}{specifier}" for name, specifier in merged.values())


def _vulnerabilities(dependency: Dependency, entry: dict[str, Any]) -> list[Vulnerability]:
    found = []
    for vuln in entry.get("vulns") or ():
        vid = str(vuln.get("id", "?"))
        aliases = tuple(str(a) for a in vuln.get("aliases") or ())
        fixes = tuple(str(f) for f in vuln.get("fix_versions") or ())
        summary = str(vuln.get("description") or "").strip().splitlines()
        found.append(Vulnerability(dependency, vid, aliases, summary[0][:200] if summary else "",
                                   None, fixes, fixes[0] if fixes else None, frozenset((vid, *aliases))))
    return found


def _run(lines: Sequence[str], service: str, timeout: float, resolve: bool,
         osv_url: str | None = None) -> tuple[list[dict[str, Any]] | None, str]:
    """pip-audit's dependency entries, or None and why when it produced no usable report."""
    with tempfile.TemporaryDirectory(prefix="gates-deps-") as work:
        requirements = Path(work, "requirements.txt")
        requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
        output = Path(work, "report.json")
        command = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "-f", "json", "-o", str(output),
                   "-s", service, "--progress-spinner", "off", "--timeout", str(int(max(timeout, 1))),
                   "--aliases", "on", "--desc", "on"]
        if not resolve:
            command += ["--no-deps", "--disable-pip"]
        if osv_url and service == "osv":
            command += ["--osv-url", osv_url]
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
        try:
            completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False,
                                       timeout=timeout * 4 + 60 * resolve, cwd=work)
        except subprocess.TimeoutExpired:
            return None, f"pip-audit did not finish in {timeout * 4 + 60 * resolve:.0f}s"
        except OSError as exc:
            return None, f"cannot run pip-audit: {exc.strerror}"
        try:
            data = json.loads(output.read_text(encoding="utf-8"))
            # pip-audit 2.x: {"dependencies": [...], "fixes": [...]}; 1.x wrote the bare list.
            entries = data if isinstance(data, list) else data["dependencies"]
            if not isinstance(entries, list):
                raise TypeError("dependencies is not a list")
        except (OSError, ValueError, KeyError, TypeError):
            tail = (completed.stderr or completed.stdout).strip().splitlines()
            reason = tail[-1] if tail else f"exit code {completed.returncode}"
            return None, f"pip-audit produced no report ({redact(reason)[:300]})"
        return [e for e in entries if isinstance(e, dict)], ""
