"""Find the project's migrations, framework by framework, and say what was and was not found.

Each framework's layout becomes one `MigrationSet`: ordered migrations, each with its up SQL and,
where the framework has one, its down SQL. A folder claimed by a more specific framework (Prisma,
Drizzle, Supabase…) is not counted again as a plain SQL folder. Alembic and Django are recognised
but their Python migrations are not executed by this version: the set says so (`runnable=False`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gates.errors import ConfigError

FRAMEWORKS = ("supabase", "prisma", "drizzle", "flyway", "golang-migrate", "dbmate", "alembic", "django", "sql")
# Frameworks whose tool has a down (undo/rollback) migration to prove.
WITH_DOWN = frozenset({"flyway", "golang-migrate", "dbmate", "alembic", "django"})
# How each framework's tool runs a migration (see rules.WRAP_MODES): in one transaction "always"
# (Alembic's env.py, Django's atomic migrations, dbmate, Drizzle's migrator runs them all in one), or
# only when the file holds several statements ("multi": one simple-query string, or Flyway running a
# lone non-transactional statement on its own; "multi-split": the Supabase CLI, which since v2.109 also
# runs CONCURRENTLY/VACUUM/ALTER SYSTEM statements apart from the file's transaction).
WRAP = {"prisma": "multi", "flyway": "multi", "supabase": "multi-split", "golang-migrate": "multi", "dbmate": "always",
        "alembic": "always", "django": "always", "drizzle": "always", "sql": "never"}

SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", ".venv-ci", "__pycache__", "dist", "build",
                       ".next", "target", "vendor", ".tox", ".mypy_cache", ".ruff_cache", "site-packages"})
MAX_DEPTH = 8
BOM = "\ufeff"  # editors on Windows write one; Flyway and the Supabase CLI skip it, PostgreSQL's parser does not

_FLYWAY = re.compile(r"^(?P<kind>[VU])(?P<version>\d+(?:[._]\d+)*)__(?P<desc>.+)\.sql$", re.I)
_MIGRATE = re.compile(r"^(?P<key>.+)\.(?P<dir>up|down)\.sql$", re.I)
_DBMATE_UP = re.compile(r"^--\s*migrate:up\b.*$", re.M)
_DBMATE_DOWN = re.compile(r"^--\s*migrate:down\b.*$", re.M)
_SUPABASE = re.compile(r"^\d{14}_.*\.sql$")
_SUPABASE_RUNS = re.compile(r"^\d+_.*\.sql$")  # what the Supabase CLI applies; it skips other names
_DRIZZLE_OUT = re.compile(r"""\bout\s*:\s*["']([^"']+)["']""")
_SCRIPT_LOCATION = re.compile(r"^\s*script_location\s*=\s*(.+?)\s*$", re.M)


@dataclass(frozen=True)
class SqlSource:
    path: Path
    text: str
    first_line: int = 1  # where `text` starts in `path` (dbmate keeps up and down in one file)
    generated: bool = False  # SQL generated from `path` (Alembic): its lines are not the file's
    not_utf8_line: int = 0  # the first line that is not UTF-8 (read with replacement characters), 0 = clean
    wrap: str = ""  # overrides WRAP for this migration (Django atomic = False, dbmate transaction:false)


@dataclass(frozen=True)
class Migration:
    name: str
    up: SqlSource
    down: SqlSource | None = None


@dataclass(frozen=True)
class MigrationSet:
    framework: str
    root: Path
    migrations: tuple[Migration, ...] = ()
    runnable: bool = True
    note: str = ""  # what a person should know about how this set was read
    skipped: tuple[tuple[Path, str], ...] = ()  # files found in the folder but not run, and why
    files: int = field(default=0, compare=False)

    @property
    def has_down(self) -> bool:
        return self.framework in WITH_DOWN

    def wrap(self, source: SqlSource) -> str:
        return source.wrap or WRAP.get(self.framework, "never")


def discover(root: Path, paths: tuple[str, ...] = (), framework: str | None = None) -> list[MigrationSet]:
    """Every migration set under `root`, or in the configured `paths` only."""
    if framework is not None and framework not in FRAMEWORKS:
        raise ConfigError(f"[migrations] framework: expected one of {', '.join(FRAMEWORKS)}, got {framework!r}")
    if paths:
        sets = []
        for raw in paths:
            folder = (root / raw).resolve()
            if not folder.is_dir():
                raise ConfigError(f"[migrations] path: {raw!r} is not a directory under {root}")
            sets.append(read_folder(folder, framework))
        return sets
    found = _auto(root)
    return [s for s in found if framework is None or s.framework == framework]


def read_folder(folder: Path, framework: str | None = None) -> MigrationSet:
    """One configured folder: its framework is forced, or guessed from the files in it."""
    kind = framework or _guess(folder)
    reader = {
        "prisma": read_prisma, "drizzle": read_drizzle, "flyway": read_flyway, "golang-migrate": read_migrate,
        "dbmate": read_dbmate, "supabase": read_supabase, "sql": read_plain,
    }.get(kind)
    if reader is None:
        return MigrationSet(kind, folder, runnable=False, note=_not_run_note(kind))
    return reader(folder)


def _guess(folder: Path) -> str:
    names = [p.name for p in folder.iterdir()]
    if "migration_lock.toml" in names:
        return "prisma"
    if (folder / "meta" / "_journal.json").is_file():
        return "drizzle"
    if any(_FLYWAY.match(n) for n in names):
        return "flyway"
    if any(_MIGRATE.match(n) for n in names):
        return "golang-migrate"
    if any(_DBMATE_UP.search(_read(folder / n)) for n in names if n.endswith(".sql")):
        return "dbmate"
    if folder.name == "migrations" and folder.parent.name == "supabase":
        return "supabase"
    return "sql"


def _auto(root: Path) -> list[MigrationSet]:
    sets: list[MigrationSet] = []
    claimed: set[Path] = set()
    dirs = list(_walk(root))
    for folder, names in dirs:
        found = _framework_here(folder, names)
        if found is not None and found.root not in claimed:
            claimed.add(found.root)
            sets.append(found)
    for folder, names in dirs:  # plain folders last, so a framework's folder is not read twice
        if folder in claimed or folder.name not in ("migrations", "migration"):
            continue
        if any(n.endswith(".sql") for n in names) and not any(folder.is_relative_to(c) for c in claimed):
            kind = _guess(folder)
            sets.append(read_folder(folder, kind))
            claimed.add(folder)
    return sorted(sets, key=lambda s: str(s.root))


def _framework_here(folder: Path, names: list[str]) -> MigrationSet | None:
    if "migration_lock.toml" in names:
        return read_prisma(folder)
    if folder.name == "meta" and "_journal.json" in names:
        return read_drizzle(folder.parent)
    if folder.name == "migrations" and folder.parent.name == "supabase":
        return read_supabase(folder)
    sql = [n for n in names if n.lower().endswith(".sql")]
    if any(_FLYWAY.match(n) for n in sql):
        return read_flyway(folder)
    if any(_MIGRATE.match(n) for n in sql):
        return read_migrate(folder)
    if sql and any(_DBMATE_UP.search(_read(folder / n)) for n in sql[:5]):
        return read_dbmate(folder)
    if "alembic.ini" in names:
        return _alembic(folder)
    if folder.name == "migrations" and any(re.match(r"^0001_.*\.py$", n) for n in names):
        return MigrationSet("django", folder, runnable=False, note="Django migrations (run as sqlmigrate SQL)",
                            files=sum(1 for n in names if re.match(r"^\d{4}_.*\.py$", n)))
    return None


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    base_depth = len(root.parts)
    for current, dirnames, filenames in os.walk(root):
        here = Path(current)
        deep = len(here.parts) - base_depth >= MAX_DEPTH
        dirnames[:] = [] if deep else sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        yield here, sorted(filenames)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").removeprefix(BOM)
    except OSError:
        return ""


def read_source(path: Path) -> SqlSource:
    """One SQL file: UTF-8 (else read with replacement characters and marked), without a byte-order mark."""
    return _source(path)


def _source(path: Path) -> SqlSource:
    try:
        data = path.read_bytes()
    except OSError:
        return SqlSource(path, "")
    bad = data.find(b"\x00")  # PostgreSQL's parser stops at a NUL: what follows would vanish unseen
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # PostgreSQL would refuse it as UTF-8; the gate reads on, and says so
        text = data.decode("utf-8", "replace")
        bad = exc.start if bad < 0 else min(bad, exc.start)
    if bad < 0:
        return SqlSource(path, text.removeprefix(BOM))
    line = data.count(b"\n", 0, bad) + 1
    return SqlSource(path, text.replace("\x00", "\ufffd").removeprefix(BOM), not_utf8_line=line)


def _natural(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def read_plain(folder: Path) -> MigrationSet:
    files = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".sql"),
                   key=lambda p: _natural(p.name))
    migrations = tuple(Migration(p.name, _source(p)) for p in files)
    return MigrationSet("sql", folder, migrations, note="plain folder of .sql files, in file-name order",
                        files=len(files))


def read_supabase(folder: Path) -> MigrationSet:
    files = sorted(p for p in folder.glob("*.sql") if p.is_file())
    runs = [p for p in files if _SUPABASE_RUNS.match(p.name)]
    skipped = tuple((p, "the Supabase CLI skips a file not named <timestamp>_name.sql") for p in files
                    if not _SUPABASE_RUNS.match(p.name))
    odd = [p.name for p in runs if not _SUPABASE.match(p.name)]
    note = "Supabase migrations, in timestamp order"
    if odd:
        note += f"; {len(odd)} file(s) without a 14-digit timestamp prefix: {', '.join(odd[:3])}"
    return MigrationSet("supabase", folder, tuple(Migration(p.name, _source(p)) for p in runs), note=note,
                        files=len(files), skipped=skipped)


def read_prisma(folder: Path) -> MigrationSet:
    dirs = sorted(p for p in folder.iterdir() if p.is_dir() and (p / "migration.sql").is_file())
    migrations = tuple(Migration(d.name, _source(d / "migration.sql")) for d in dirs)
    return MigrationSet("prisma", folder, migrations, note="Prisma migrate folders (<name>/migration.sql)",
                        files=len(dirs))


def read_drizzle(folder: Path) -> MigrationSet:
    journal = folder / "meta" / "_journal.json"
    try:
        entries = json.loads(_read(journal)).get("entries", [])
        tags = [str(e["tag"]) for e in sorted(entries, key=lambda e: int(e.get("idx", 0)))]
        note = "Drizzle migrations in meta/_journal.json order, split on --> statement-breakpoint"
    except (ValueError, KeyError, TypeError, AttributeError):
        tags = [p.stem for p in sorted(folder.glob("*.sql"), key=lambda p: _natural(p.name))]
        note = "Drizzle folder whose meta/_journal.json could not be read: file-name order used"
    migrations = []
    missing = []
    for tag in tags:
        path = folder / f"{tag}.sql"
        if path.is_file():
            migrations.append(Migration(tag, _source(path)))
        else:
            missing.append(tag)
    skipped = tuple((journal, f"journal entry {tag} has no {tag}.sql") for tag in missing)
    return MigrationSet("drizzle", folder, tuple(migrations), note=note, files=len(migrations), skipped=skipped)


def read_flyway(folder: Path) -> MigrationSet:
    ups: dict[tuple[int, ...], Path] = {}
    undos: dict[tuple[int, ...], Path] = {}
    skipped: list[tuple[Path, str]] = []
    for path in sorted(folder.glob("*.sql")):
        match = _FLYWAY.match(path.name)
        if match:
            parts = [int(p) for p in re.split(r"[._]", match["version"])]
            while len(parts) > 1 and parts[-1] == 0:  # Flyway: 1.0 and 1 are the same version
                parts.pop()
            version = tuple(parts)
            kind = ups if match["kind"].upper() == "V" else undos
            if version in kind:
                skipped.append((path, f"same version as {kind[version].name}: Flyway refuses both"))
                continue
            kind[version] = path
        elif path.name.startswith("R__"):
            skipped.append((path, "repeatable migration (R__): not run by this gate"))
        elif re.match(r"^(before|after)[A-Z]\w*\.sql$", path.name):
            skipped.append((path, "Flyway callback: not run by this gate"))
        else:
            skipped.append((path, "not a Flyway migration name (V<version>__<description>.sql): Flyway ignores it"))
    skipped += [(path, "undo without a V migration of its version") for v, path in undos.items() if v not in ups]
    migrations = tuple(
        Migration(path.name, _source(path), _source(undos[v]) if v in undos else None)
        for v, path in sorted(ups.items())
    )
    note = "Flyway versioned migrations (V<n>__), undo from U<n>__"
    return MigrationSet("flyway", folder, migrations, note=note, files=len(ups) + len(undos), skipped=tuple(skipped))


def read_migrate(folder: Path) -> MigrationSet:
    pairs: dict[str, dict[str, Path]] = {}
    skipped = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATE.match(path.name)
        if match:
            pairs.setdefault(match["key"], {})[match["dir"].lower()] = path
        else:
            skipped.append((path, "not <version>_<name>.up.sql / .down.sql: golang-migrate ignores it"))
    migrations = []
    for key in sorted(pairs, key=_natural):
        pair = pairs[key]
        if "up" in pair:
            down = pair.get("down")
            migrations.append(Migration(key, _source(pair["up"]), _source(down) if down else None))
        else:
            skipped.append((pair["down"], "a .down.sql without its .up.sql"))
    return MigrationSet("golang-migrate", folder, tuple(migrations),
                        note="golang-migrate pairs (<version>_<name>.up.sql / .down.sql)",
                        files=sum(len(p) for p in pairs.values()), skipped=tuple(skipped))


def read_dbmate(folder: Path) -> MigrationSet:
    migrations = []
    files = sorted((p for p in folder.glob("*.sql")), key=lambda p: _natural(p.name))
    for path in files:
        text = _read(path)
        up_match = _DBMATE_UP.search(text)
        if up_match is None:
            continue
        down_match = _DBMATE_DOWN.search(text)
        up_end = down_match.start() if down_match and down_match.start() > up_match.end() else len(text)
        wrap = "never" if re.search(r"\btransaction:\s*false\b", up_match.group(0)) else ""
        up = SqlSource(path, text[up_match.end():up_end], text.count("\n", 0, up_match.end()) + 1, wrap=wrap)
        down = None
        if down_match:
            end = up_match.start() if up_match.start() > down_match.end() else len(text)
            body = text[down_match.end():end]
            if body.strip():
                down = SqlSource(path, body, text.count("\n", 0, down_match.end()) + 1)
        migrations.append(Migration(path.name, up, down))
    return MigrationSet("dbmate", folder, tuple(migrations), note="dbmate files (-- migrate:up / -- migrate:down)",
                        files=len(files))


def _alembic(folder: Path) -> MigrationSet:
    match = _SCRIPT_LOCATION.search(_read(folder / "alembic.ini"))
    location = match.group(1) if match else "alembic"
    location = location.replace("%(here)s", str(folder))
    scripts = (folder / location).resolve()
    count = len(list((scripts / "versions").glob("*.py"))) if (scripts / "versions").is_dir() else 0
    return MigrationSet("alembic", scripts, runnable=False, note="Alembic revisions (run as offline SQL)", files=count)


def _not_run_note(framework: str) -> str:
    return (f"{framework} migrations are Python: this version of the gate recognises them but does not run them"
            " (export them as SQL, e.g. `alembic upgrade --sql` or `manage.py sqlmigrate`, into a folder and"
            " point [migrations] path at it)")


def summary(sets: list[MigrationSet], root: Path) -> str:
    """What was found, and which frameworks were looked for and not found."""
    found = [f"{s.framework} ({len(s.migrations) or s.files} migrations) at {_rel(s.root, root)}" for s in sets]
    missing = [f for f in FRAMEWORKS if f not in {s.framework for s in sets}]
    text = "found: " + ("; ".join(found) if found else "nothing")
    return text + (f". Looked for and did not find: {', '.join(missing)}" if missing else "")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root)) or "."
    except ValueError:
        return str(path)
