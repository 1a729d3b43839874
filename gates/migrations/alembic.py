"""Alembic: the project's revision scripts, turned into SQL by Alembic's offline mode with the gate's own env.py.

A project's env.py usually needs the app (settings, models, a live URL); the revision scripts
themselves only need Alembic and SQLAlchemy. So the gate runs `upgrade heads --sql` and
`downgrade head:base --sql` in a subprocess with an env.py of its own (PostgreSQL dialect, literal
binds) and the project's `versions/` folder, then cuts the output at Alembic's
`-- Running upgrade A -> B` comments into one migration per revision, with its down. Alembic's own
bookkeeping (`alembic_version`, BEGIN/COMMIT) is dropped; statements in an `autocommit_block()`
(COMMIT … BEGIN inside a revision) are marked as run outside the transaction. Lines then refer to the generated SQL, not
the .py file, so findings point at the revision file without a line.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from gates.common.process import run_process
from gates.migrations.discover import Migration, MigrationSet, SqlSource

_ENV = """
from alembic import context
context.configure(url="postgresql://gates@localhost/gates", literal_binds=True,
                  dialect_opts={"paramstyle": "named"}, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
"""

_DRIVER = """
import sys
try:
    from alembic import command
    from alembic.config import Config
except ImportError as exc:
    sys.stderr.write(f"gates-no-alembic: {exc}")
    sys.exit(4)
cfg = Config()
cfg.set_main_option("script_location", sys.argv[1])
cfg.set_main_option("version_locations", sys.argv[2])
command.upgrade(cfg, "heads", sql=True)
print("\\n-- gates: downgrade --")
try:
    command.downgrade(cfg, "head:base", sql=True)
except Exception as exc:  # several heads, or a downgrade that raises: no down path to prove
    print(f"\\n-- gates: downgrade failed: {type(exc).__name__}: {exc}")
"""

# Statements of an `autocommit_block()` run outside the revision's transaction: CONCURRENTLY is fine there.
AUTOCOMMIT = "-- gates: allow concurrently-in-transaction (alembic autocommit_block)"

PYTHON = sys.executable  # the interpreter that runs the revision scripts: the one gates runs in

_UP = re.compile(r"^-- Running upgrade (\S*) -> (\S+)\s*$", re.M)
_DOWN = re.compile(r"^-- Running downgrade (\S+) -> (\S*)\s*$", re.M)
_REVISION = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""", re.M)


def read_alembic(found: MigrationSet, root: Path, timeout: float = 180) -> MigrationSet:
    versions = found.root / "versions"
    if not versions.is_dir():
        return MigrationSet("alembic", found.root, runnable=False, note=f"no versions/ folder in {found.root}")
    with tempfile.TemporaryDirectory(prefix="gates-alembic-") as tmp:
        env_dir = Path(tmp)
        (env_dir / "env.py").write_text(_ENV, encoding="utf-8")
        (env_dir / "script.py.mako").write_text("", encoding="utf-8")
        pythonpath = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
        done = run_process([PYTHON, "-c", _DRIVER, str(env_dir), str(versions)], cwd=root, timeout=timeout,
                           env={"PYTHONPATH": pythonpath}, raw_output=True)
    if done.returncode == 4 and "gates-no-alembic" in done.stderr:
        return MigrationSet("alembic", found.root, runnable=False, files=found.files,
                            note="Alembic is not installed in the Python that runs gates"
                                 " (pip install alembic beside launch-gates)")
    if not done.ok:
        last = (done.stderr.strip().splitlines() or [done.describe()])[-1]
        return MigrationSet("alembic", found.root, runnable=False, files=found.files,
                            note=f"alembic upgrade --sql failed on the revision scripts: {last[:300]}")
    upgrade, _, downgrade = done.stdout.partition("-- gates: downgrade --")
    files = _revision_files(versions)
    downs = {frm: text for frm, _, text in _chunks(_DOWN, downgrade)}
    migrations = []
    for _, rev, text in _chunks(_UP, upgrade):
        path = files.get(rev, versions / f"{rev}.py")
        down_text = downs.get(rev, "")
        down = SqlSource(path, down_text, generated=True) if down_text.strip() else None
        migrations.append(Migration(path.name, SqlSource(path, text, generated=True), down))
    note = "Alembic revisions as offline SQL (alembic upgrade --sql) from the gate's own env.py"
    if "-- gates: downgrade failed" in downgrade:
        note += "; downgrade --sql failed, so no down path: " + downgrade.split("downgrade failed:", 1)[1].strip()[:200]
    return MigrationSet("alembic", found.root, tuple(migrations), note=note, files=found.files)


def _chunks(marker: re.Pattern[str], text: str) -> list[tuple[str, str, str]]:
    """(first revision, second revision, SQL) per marker, without Alembic's bookkeeping."""
    matches = list(marker.finditer(text))
    result = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        result.append((match.group(1), match.group(2), _without_bookkeeping(text[match.end():end])))
    return result


def _without_bookkeeping(sql: str) -> str:
    import pglast

    try:
        pieces = [sql[s] for s in pglast.split(sql, with_parser=False, only_slices=True)]
    except Exception:  # pglast's scanner error: keep the text as it is for PostgreSQL to judge
        return sql
    kept, autocommit = [], False
    for piece in (p.strip() for p in pieces):
        word = piece.upper()
        if word in ("BEGIN", "COMMIT"):  # COMMIT … BEGIN inside a revision: an autocommit_block()
            autocommit = word == "COMMIT"
        elif piece and "alembic_version" not in piece:
            kept.append(f"{AUTOCOMMIT}\n{piece}" if autocommit else piece)
    return "".join(f"{piece};\n\n" for piece in kept)


def _revision_files(versions: Path) -> dict[str, Path]:
    files = {}
    for path in sorted(versions.rglob("*.py")):
        match = _REVISION.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            files[match.group(1)] = path
    return files
