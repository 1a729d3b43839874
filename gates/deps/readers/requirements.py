"""requirements*.txt: pip's format, with -r/-c includes, line continuations, hashes and options.

Markers are kept but not evaluated: a dependency only installed on another platform still ships
there. Index options are never audited, but URLs in them with a password become secrets.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from gates.common.credentials import find_spans
from gates.deps.model import PYPI, Dependency
from gates.deps.readers import Manifest, ParseError
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
    _read_into(manifest, path, display, seen=set())
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


def _read_into(manifest: Manifest, path: Path, display: str, seen: set[Path]) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return  # an include cycle: each file once
    seen.add(resolved)
    text = path.read_text(encoding="utf-8")
    for start, end in find_spans(text):
        manifest.secrets.add(text[start:end])
    for number, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            if include.group(1) in ("-c", "--constraint"):
                continue  # constraints limit versions; they add no dependency
            target = (path.parent / include.group(2).strip()).resolve()
            shown = str(Path(display).parent / include.group(2).strip())
            if not target.is_file():
                raise ParseError(display, f"included file {include.group(2).strip()!r} not found", number)
            _read_into(manifest, target, shown, seen)
            continue
        if _EDITABLE.match(line):
            manifest.dependencies.append(
                Dependency(_editable_name(line), None, PYPI, display, number, skip_reason="editable install")
            )
            continue
        if line.startswith("-"):
            if not _OPTION_WITH_VALUE.match(line):
                raise ParseError(display, f"unknown pip option: {redact(line.split()[0])}", number)
            if _INDEX.match(line):
                manifest.index_options.append(line)
            continue
        manifest.dependencies.append(parse_requirement(_strip_options(line), display, number))


def _strip_options(line: str) -> str:
    """Drop per-requirement options (--hash=…, --config-settings …) after the requirement."""
    match = re.search(r"\s--?[a-zA-Z]", line)
    return line[: match.start()].strip() if match else line


def _editable_name(line: str) -> str:
    target = line.split(None, 1)[1] if " " in line else line.split("=", 1)[1]
    egg = re.search(r"#egg=([A-Za-z0-9_.\-]+)", target)
    return egg.group(1) if egg else redact(shlex.split(target)[0] if target.strip() else "?")


def parse_requirement(text: str, display: str, line: int | None, dev: bool = False) -> Dependency:
    """One PEP 508 requirement; exact pins (== or ===, no wildcard) carry their version."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ParseError(display, f"invalid requirement {redact(text)!r}: {redact(str(exc).splitlines()[0])}",
                         line) from None
    if requirement.url:
        return Dependency(requirement.name, None, PYPI, display, line, dev, skip_reason="direct URL reference")
    return Dependency(requirement.name, pinned_version(requirement.specifier), PYPI, display, line, dev,
                      spec=_spec_text(requirement.name, str(requirement.specifier)))


def pinned_version(specifier: object) -> str | None:
    specs = list(specifier)  # type: ignore[call-overload]
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        version: str = specs[0].version
        return version
    return None


def _spec_text(name: str, specifier: str) -> str:
    return f"{name}{specifier}" if specifier else name
