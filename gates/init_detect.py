"""What `gates init` can tell about a repository by looking at its files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MANIFESTS = ("requirements.txt", "requirements-dev.txt", "pyproject.toml", "poetry.lock", "uv.lock", "Pipfile.lock",
             "pylock.toml", "package-lock.json")
MIGRATION_DIRS = ("supabase/migrations", "prisma/migrations", "migrations", "db/migrations", "drizzle", "alembic")
BUILD_DIRS = ("dist", "build", ".next/static", "out")
SKIP = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
_PORT = re.compile(r"(?:--port[ =]|-p |PORT=|:)(\d{4,5})\b")


@dataclass
class Detected:
    manifests: list[str] = field(default_factory=list)
    migrations: list[str] = field(default_factory=list)
    build_dirs: list[str] = field(default_factory=list)
    start: str | None = None
    port: int | None = None
    health: str | None = None


def detect(root: Path) -> Detected:
    found = Detected()
    found.manifests = _manifests(root)
    found.migrations = [d for d in MIGRATION_DIRS if (root / d).is_dir()]
    found.migrations += [str(p.parent.relative_to(root)) for p in _limited_glob(root, "migration_lock.toml")
                         if str(p.parent.relative_to(root)) not in found.migrations]
    found.build_dirs = [d for d in BUILD_DIRS if (root / d).is_dir()]
    found.start = _procfile_web(root) or _package_start(root)
    if found.start:
        match = _PORT.search(found.start)
        found.port = int(match.group(1)) if match else None
    return found


def _manifests(root: Path) -> list[str]:
    names = set(MANIFESTS)
    hits = []
    for path in _walk(root, depth=3):
        if path.name in names or (path.name.startswith("requirements") and path.suffix == ".txt"):
            hits.append(str(path.relative_to(root)))
    return sorted(set(hits))


def _procfile_web(root: Path) -> str | None:
    procfile = root / "Procfile"
    if not procfile.is_file():
        return None
    for line in procfile.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web" and command.strip():
            return command.strip()
    return None


def _package_start(root: Path) -> str | None:
    package = root / "package.json"
    if not package.is_file():
        return None
    try:
        scripts = json.loads(package.read_text(encoding="utf-8")).get("scripts", {})
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
        return "npm start"
    return None


def _walk(root: Path, depth: int) -> list[Path]:
    out: list[Path] = []
    frontier = [root]
    for _ in range(depth):
        next_frontier = []
        for directory in frontier:
            try:
                entries = list(directory.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.name in SKIP:
                    continue
                if entry.is_dir():
                    next_frontier.append(entry)
                else:
                    out.append(entry)
        frontier = next_frontier
    return out


def _limited_glob(root: Path, name: str) -> list[Path]:
    return [p for p in _walk(root, depth=4) if p.name == name]
