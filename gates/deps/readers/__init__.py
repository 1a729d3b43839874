"""Readers for dependency files: one small module per format, one `read(path, display)` each.

Every reader returns a `Manifest`; a file it cannot parse raises `ParseError` naming the file and,
where the format tells us, the line. `detect` finds the files in a project when none are given.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gates.deps.model import Dependency


class ParseError(Exception):
    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass
class Manifest:
    path: str
    kind: str
    dependencies: list[Dependency] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)  # index URLs with passwords and the like
    index_options: list[str] = field(default_factory=list)  # pip index lines, for resolving unpinned specs
    notes: list[str] = field(default_factory=list)


Reader = Callable[[Path, str], Manifest]

# (glob on the file name, kind); first match wins.
KINDS: tuple[tuple[str, str], ...] = (
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
    ("poetry.lock", "poetry"),
    ("uv.lock", "uv"),
    ("Pipfile.lock", "pipfile"),
    ("pylock.toml", "pylock"),
    ("pylock.*.toml", "pylock"),
    ("pyproject.toml", "pyproject"),
    ("*.txt", "requirements"),
    ("*.in", "requirements"),
)
LOCKFILES = frozenset({"poetry", "uv", "pipfile", "pylock"})
_SKIP_DIRS = frozenset({"node_modules", "site-packages", "__pycache__", "dist", "build", "venv", "env"})


def read_text(path: Path, display: str) -> str:
    """The file as text: UTF-8 with or without a BOM (Windows editors write one), or UTF-16/32 with a
    BOM (Windows PowerShell's `pip freeze > requirements.txt`; pip reads those too); anything else is a
    ParseError naming the line of the first undecodable byte."""
    import codecs

    data = path.read_bytes()
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ParseError(display, f"not valid {encoding.upper()} text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(display, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line) from None


def kind_of(path: Path) -> str | None:
    for pattern, kind in KINDS:
        if fnmatch.fnmatch(path.name, pattern):
            return kind
    return None


def reader(kind: str) -> Reader:
    from gates.deps.readers import npm, pipfile, poetry, pylock, pyproject, requirements, uv

    readers: dict[str, Reader] = {
        "npm": npm.read, "poetry": poetry.read, "uv": uv.read, "pipfile": pipfile.read,
        "pylock": pylock.read, "pyproject": pyproject.read, "requirements": requirements.read,
    }
    return readers[kind]


def read(path: Path, display: str) -> Manifest:
    kind = kind_of(path)
    if kind is None:
        raise ParseError(display, "unknown dependency file kind (expected requirements*.txt, pyproject.toml, "
                         "poetry.lock, uv.lock, Pipfile.lock, pylock.toml or package-lock.json)")
    try:
        return reader(kind)(path, display)
    except UnicodeDecodeError:
        raise ParseError(display, "not UTF-8 text") from None
    except OSError as exc:
        raise ParseError(display, f"cannot read: {exc.strerror}") from None


def detect(root: Path, depth: int = 2) -> list[Path]:
    """Dependency files in `root` and its subdirectories down to `depth` (not vendored trees).

    In a directory that has a Python lockfile, pyproject.toml adds nothing (the lock pins what it
    asks for) and is left out; requirements*.txt are always read.
    """
    found: list[Path] = []
    base_depth = len(root.parts)
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIP_DIRS)
        if len(here.parts) - base_depth >= depth:
            subdirs[:] = []
        kinds = {name: kind_of(Path(name)) for name in files}
        has_lock = any(kind in LOCKFILES for kind in kinds.values())
        for name in sorted(files):
            kind = kinds[name]
            if kind is None or (kind == "pyproject" and has_lock):
                continue
            if kind == "requirements" and not _looks_like_requirements(here, name):
                continue
            found.append(here / name)
    return found


def _looks_like_requirements(directory: Path, name: str) -> bool:
    return name.startswith("requirements") or directory.name == "requirements"
