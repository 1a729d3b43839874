"""`--from REF`: the migrations as of the base commit, so only a pull request's new ones are checked.

The real deploy path of a pull request: production already ran the base commit's migrations, so
those are applied first (one "base" check), then only the new ones, each in its own check. A
migration that exists at the base but was edited since is a finding: the deploy tool will not run
it again, so the edit never reaches production.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from gates.common.process import run_process
from gates.errors import CannotEvaluate
from gates.migrations.discover import Migration, MigrationSet, read_folder


@dataclass(frozen=True)
class Split:
    base: tuple[Migration, ...]  # already applied in production
    new: tuple[Migration, ...]  # this change's migrations
    edited: tuple[Migration, ...]  # in both, changed since the base


def resolve(root: Path, ref: str) -> str:
    done = run_process(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=root, timeout=30)
    if not done.ok:
        raise CannotEvaluate(f"--from {ref}: no such commit here (a shallow clone? fetch it, e.g. "
                             "actions/checkout with fetch-depth: 0)")
    return done.stdout.strip()


def split_at(root: Path, commit: str, found: MigrationSet) -> Split:
    """The set's migrations divided by what existed at `commit`."""
    base_set = _set_at(root, commit, found)
    base_by_name = {m.name: m for m in base_set.migrations} if base_set else {}
    new = tuple(m for m in found.migrations if m.name not in base_by_name)
    edited = tuple(m for m in found.migrations
                   if m.name in base_by_name and m.up.text != base_by_name[m.name].up.text)
    return Split(tuple(base_by_name.values()), new, edited)


def _set_at(root: Path, commit: str, found: MigrationSet) -> MigrationSet | None:
    try:
        folder = found.root.relative_to(root)
    except ValueError:
        return None
    listed = run_process(["git", "ls-tree", "-r", "--name-only", commit, "--", str(folder)], cwd=root, timeout=60)
    if not listed.ok:
        raise CannotEvaluate(f"git ls-tree {commit[:12]} failed: {listed.stderr.strip()[-200:]}")
    names = [line for line in listed.stdout.splitlines() if line]
    if not names:
        return None
    with tempfile.TemporaryDirectory(prefix="gates-base-") as tmp:
        copy = Path(tmp)
        for name in names:
            shown = run_process(["git", "show", f"{commit}:{name}"], cwd=root, timeout=60, raw_output=True)
            if not shown.ok:
                raise CannotEvaluate(f"git show {commit[:12]}:{name} failed: {shown.stderr.strip()[-200:]}")
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(shown.stdout, encoding="utf-8")
        base = read_folder(copy / folder, found.framework)
        # keep the sources' text but point their paths at the working tree, for readable locations
        return MigrationSet(base.framework, found.root, tuple(_rebase(m, copy, root) for m in base.migrations))


def _rebase(migration: Migration, copy: Path, root: Path) -> Migration:
    from dataclasses import replace

    up = replace(migration.up, path=root / migration.up.path.relative_to(copy))
    down = replace(migration.down, path=root / migration.down.path.relative_to(copy)) if migration.down else None
    return replace(migration, up=up, down=down)
