"""Load an OSV database (directory or zip of JSON/YAML records) through a cached SQLite index.

Decoding the YAML tree of the PyPA database takes seconds; the index is built once per database
content (file names, sizes and mtimes for a directory; the bytes for a zip) and queried per
package afterwards, so a run reads only the advisories of the packages it audits.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from gates.deps.model import Advisory, Affected, Event, Range, normalize
from gates.deps.osv.records import RecordError, advisory_from_record, is_withdrawn
from gates.errors import CannotEvaluate, ConfigError

INDEX_FORMAT = "3"
_SUFFIXES = (".json", ".yaml", ".yml")


class Database:
    """The advisories of one OSV database, looked up by (ecosystem, normalized package name)."""

    def __init__(self, connection: sqlite3.Connection, source: Path, built: bool) -> None:
        self._db = connection
        self.source = source
        self.built = built  # True when this run built the index (cold)
        row = connection.execute("SELECT value FROM meta WHERE key = 'records'").fetchone()
        self.records = int(row[0]) if row else 0
        row = connection.execute("SELECT value FROM meta WHERE key = 'withdrawn'").fetchone()
        self.withdrawn = int(row[0]) if row else 0

    def advisories(self, ecosystem: str, key: str) -> list[Advisory]:
        rows = self._db.execute(
            "SELECT a.data FROM affects f JOIN advisories a ON a.id = f.advisory"
            " WHERE f.ecosystem = ? AND f.name = ? ORDER BY a.id",
            (ecosystem, key),
        ).fetchall()
        return [_decode(row[0]) for row in rows]

    def close(self) -> None:
        self._db.close()


def open_database(path: Path, cache_dir: Path | None) -> Database:
    if not path.exists():
        raise ConfigError(f"[deps] db: {path}: no such file or directory")
    key = content_key(path)
    if cache_dir is not None:
        cached = cache_dir / f"osv-{key}.sqlite"
        if cached.is_file():
            try:
                return Database(sqlite3.connect(f"file:{cached}?mode=ro", uri=True), path, built=False)
            except sqlite3.DatabaseError:
                pass  # a damaged cache is rebuilt below
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix="osv-", suffix=".tmp", dir=cache_dir)
            os.close(fd)
        except OSError:
            return Database(_build(path, ":memory:"), path, built=True)
        try:
            _build(path, temp).close()
            os.replace(temp, cached)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        return Database(sqlite3.connect(f"file:{cached}?mode=ro", uri=True), path, built=True)
    return Database(_build(path, ":memory:"), path, built=True)


def content_key(path: Path) -> str:
    digest = hashlib.sha256(f"{INDEX_FORMAT}\0".encode())
    try:
        if path.is_dir():
            # Names, sizes and mtimes: a stat per record, not a read (plain strings: pathlib is the cost here).
            entries = []
            for directory, subdirs, files in os.walk(path):
                subdirs[:] = [d for d in subdirs if not d.startswith(".")]
                for name in files:
                    if name.endswith((*_SUFFIXES, ".zip")) and not name.startswith("."):
                        full = os.path.join(directory, name)
                        stat = os.stat(full)
                        entries.append(f"{os.path.relpath(full, path)}\0{stat.st_size}\0{stat.st_mtime_ns}\0")
            for entry in sorted(entries):
                digest.update(entry.encode())
        else:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    except OSError as exc:
        raise CannotEvaluate(f"OSV database {path}: cannot read: {exc.strerror}") from None
    return digest.hexdigest()[:24]


def _record_files(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in files:
            if name.endswith((*_SUFFIXES, ".zip")) and not name.startswith("."):
                yield Path(directory) / name


def raw_records(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(_record_files(path)):
            if file.suffix == ".zip":
                # `gates deps update-db` leaves one export zip per ecosystem in the directory.
                for member, data in raw_records(file):
                    yield f"{file.name}/{member}", data
            else:
                yield str(file.relative_to(path)), file.read_bytes()
        return
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and info.filename.endswith(_SUFFIXES):
                    yield info.filename, archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise CannotEvaluate(f"OSV database {path}: not a directory or a readable zip ({exc})") from None


def decode_record(member: str, data: bytes) -> Any:
    if member.endswith(".json"):
        return json.loads(data)
    import yaml

    # BaseLoader keeps every scalar a string: `fixed: 2.10` must not become the float 2.1.
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    return yaml.load(data, Loader=loader)  # noqa: S506 - BaseLoader builds plain data only


def _build(path: Path, target: str) -> sqlite3.Connection:
    db = sqlite3.connect(target)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
        "CREATE TABLE advisories (id TEXT PRIMARY KEY, data TEXT);"
        "CREATE TABLE affects (ecosystem TEXT, name TEXT, advisory TEXT);"
    )
    records = withdrawn = 0
    try:
        for member, data in raw_records(path):
            try:
                record = decode_record(member, data)
                if isinstance(record, dict) and is_withdrawn(record):
                    withdrawn += 1
                    continue
                advisory = advisory_from_record(record)
            except (ValueError, RecordError) as exc:
                raise CannotEvaluate(f"OSV database {path}: {member}: not a valid OSV record ({exc})") from None
            except Exception as exc:  # yaml.YAMLError and friends: a corrupt database cannot be trusted
                raise CannotEvaluate(f"OSV database {path}: {member}: cannot decode ({exc})") from None
            records += 1
            _insert(db, advisory)
    except OSError as exc:
        raise CannotEvaluate(f"OSV database {path}: cannot read: {exc.strerror}") from None
    if records == 0:
        raise CannotEvaluate(f"OSV database {path}: contains no OSV records")
    db.execute("CREATE INDEX affects_name ON affects (ecosystem, name)")
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("records", str(records)), ("withdrawn", str(withdrawn))])
    db.commit()
    return db


def _insert(db: sqlite3.Connection, advisory: Advisory) -> None:
    data = json.dumps(asdict(advisory), separators=(",", ":"))
    exists = db.execute("SELECT 1 FROM advisories WHERE id = ?", (advisory.id,)).fetchone()
    if exists:
        # The same id twice (a zip holding two exports): the first one wins, once.
        return
    db.execute("INSERT INTO advisories VALUES (?, ?)", (advisory.id, data))
    keys = {(a.ecosystem, normalize(a.name, a.ecosystem)) for a in advisory.affected}
    db.executemany("INSERT INTO affects VALUES (?, ?, ?)", [(eco, name, advisory.id) for eco, name in keys])


def _decode(data: str) -> Advisory:
    raw = json.loads(data)
    return Advisory(
        id=raw["id"],
        aliases=tuple(raw["aliases"]),
        summary=raw["summary"],
        severity=raw["severity"],
        affected=tuple(_affected(a) for a in raw["affected"]),
    )


def _affected(raw: dict[str, Any]) -> Affected:
    ranges: Iterable[Range] = (
        Range(r["kind"], tuple(Event(e["kind"], e["version"]) for e in r["events"])) for r in raw["ranges"]
    )
    return Affected(raw["ecosystem"], raw["name"], tuple(ranges), tuple(raw["versions"]))
