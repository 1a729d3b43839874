"""requirements*.txt: pip's format, with -r/-c includes, line continuations, hashes and options.

Markers are kept but not evaluated: a dependency only installed on another platform still ships
there. Index options are never audited, but URLs in them with a password become secrets.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from pathlib import Path

from gates.common.credentials import find_spans
from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError, read_text
from gates.redact import redact

_OPTION_WITH_VALUE = re.compile(
    r"^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--only-binary|--no-binary|"
    r"--prefer-binary|--pre|--require-hashes|--no-index|--use-feature|-Z|--always-unzip)\b"
)
_EDITABLE = re.compile(r"^(-e|--editable)(\s|=)")
_INDEX = re.compile(r"^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-index|--pre)\b")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(.+)$")


def read(path: Path, display: str) -> Manifest:
    manifest = Manifest(display, "requirements")
    constraints = Manifest(display, "constraints")
    _read_into(manifest, path, display, seen=set(), constraints=constraints)
    return _constrained(manifest, constraints)


def _constrained(manifest: Manifest, constraints: Manifest) -> Manifest:
    """`flask` with `-c constraints.txt` pinning `flask==2.0.0` installs 2.0.0: audit that pin.
    Constraints add no package of their own (pip installs only what is required)."""
    pins = {d.key: d.version for d in constraints.dependencies if d.version is not None and not d.skip_reason}
    manifest.secrets |= constraints.secrets
    manifest.dependencies = [
        replace(d, version=pins[d.key], spec=f"{d.spec} (pinned by a constraint)")
        if d.version is None and not d.skip_reason and d.key in pins else d
        for d in manifest.dependencies
    ]
    return manifest


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations; drop comments; keep the first physical line number."""
    lines: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        pending += line
        if pending.strip():
            lines.append((start, pending.strip()))
        pending = ""
    if pending.strip():
        lines.append((start, pending.strip()))
    return lines


def _read_into(manifest: Manifest, path: Path, display: str, seen: set[Path], constraints: Manifest) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return  # an include cycle: each file once
    seen.add(resolved)
    text = read_text(path, display)
    for start, end in find_spans(text):
        manifest.secrets.add(text[start:end])
    for number, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            target = (path.parent / include.group(2).strip()).resolve()
            shown = str(Path(display).parent / include.group(2).strip())
            if include.group(1) in ("-c", "--constraint"):
                # Constraints only narrow versions: one we cannot read (a URL, not here) leaves the
                # requirements it would pin unpinned, which is reported; it is not an input error.
                if target.is_file():
                    _read_into(constraints, target, shown, seen, constraints)
                continue
            if not target.is_file():
                raise ParseError(display, f"included file {include.group(2).strip()!r} not found", number)
            _read_into(manifest, target, shown, seen, constraints)
            continue
        if _EDITABLE.match(line):
            source = _editable_target(line)
            local = not _is_remote(source)
            manifest.dependencies.append(Dependency(
                _url_name(source), None, PYPI, display, number,
                skip_reason="editable install" + ("" if local else " from a remote source"), local=local))
            continue
        if line.startswith("-"):
            if not _OPTION_WITH_VALUE.match(line):
                raise ParseError(display, f"unknown pip option: {redact(line.split()[0])}", number)
            if _INDEX.match(line):
                manifest.index_options.append(line)
            continue
        requirement = _strip_options(line)
        manifest.dependencies.append(_bare_url_or_path(requirement, display, number)
                                     or parse_requirement(requirement, display, number))


def _strip_options(line: str) -> str:
    """Drop per-requirement options (--hash=…, --config-settings …) after the requirement."""
    match = re.search(r"\s--?[a-zA-Z]", line)
    return line[: match.start()].strip() if match else line


def _editable_target(line: str) -> str:
    target = line.split(None, 1)[1] if " " in line else line.split("=", 1)[1]
    try:
        parts = shlex.split(target)
    except ValueError:
        parts = target.split()
    return parts[0] if parts else "?"


_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|(?:git|hg|svn|bzr)\+)", re.IGNORECASE)
_URL_OR_PATH = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|(?:git|hg|svn|bzr)\+|\.{1,2}(?:[/\\]|$)|[/\\~]|[a-zA-Z]:[/\\])",
                          re.IGNORECASE)
_ARCHIVE = re.compile(r"^[^\s;@=<>!~]+\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz)$", re.IGNORECASE)


def _is_remote(target: str) -> bool:
    return bool(_REMOTE.match(target)) and not target.lower().startswith("file:")


def _url_name(target: str) -> str:
    """The project a URL or path names: its `#egg=` fragment, else the last path segment (credentials masked)."""
    egg = re.search(r"[#&]egg=([A-Za-z0-9_.\-]+)", target)
    if egg:
        return egg.group(1)
    # Drop `user:token@` first: the name must come from the path, never from the credentials.
    bare = re.sub(r"^([A-Za-z][A-Za-z0-9+.\-]*://)[^/]*@", r"\1", target)
    tail = re.split(r"[/\\]", bare.split("#", 1)[0].split("?", 1)[0].rstrip("/\\"))[-1]
    tail = tail.split("@", 1)[0]  # a VCS ref: tool.git@v1
    tail = tail[:-4] if tail.endswith(".git") else tail
    if tail.endswith(".whl"):
        tail = tail.split("-", 1)[0]  # a wheel's file name starts with its project name
    return redact(tail) if tail else "?"


def _bare_url_or_path(line: str, display: str, number: int, dev: bool = False) -> Dependency | None:
    """pip also takes a bare URL, VCS URL, archive or directory path as a requirement line."""
    target = line.split(";", 1)[0].strip()
    if not (_URL_OR_PATH.match(target) or _ARCHIVE.match(target)):
        return None
    remote = _is_remote(target)
    reason = "direct URL reference" if remote else "local path"
    return Dependency(_url_name(target), None, PYPI, display, number, dev, skip_reason=reason, local=not remote)


def parse_requirement(text: str, display: str, line: int | None, dev: bool = False) -> Dependency:
    """One PEP 508 requirement; exact pins (== or ===, no wildcard) carry their version."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ParseError(display, f"invalid requirement {redact(text)!r}: {redact(str(exc).splitlines()[0])}",
                         line) from None
    if requirement.url:
        remote = _is_remote(requirement.url)
        return Dependency(requirement.name, None, PYPI, display, line, dev, local=not remote,
                          skip_reason="direct URL reference" if remote else "local path")
    return Dependency(requirement.name, pinned_version(requirement.specifier), PYPI, display, line, dev,
                      spec=_spec_text(requirement.name, str(requirement.specifier)))


def pinned_version(specifier: object) -> str | None:
    """The one version an exact `==`/`===` clause allows (`==1.*` is a range, not a pin); other
    clauses beside it (`>=1,==1.2`) only narrow what that pin already fixes."""
    exact = [s for s in specifier if s.operator in ("==", "===") and "*" not in s.version]  # type: ignore[attr-defined]
    if len({s.version for s in exact}) == 1:
        version: str = exact[0].version
        return version
    return None


def _spec_text(name: str, specifier: str) -> str:
    return f"{name}{specifier}" if specifier else name
