"""Where lines come from: all of history, a commit range, the index, files on disk, log files.

Each function feeds one `Scanner` and returns a `Scope` saying what was read (commits, blobs,
lines) or why it could not be (a shallow clone, a base ref this clone lacks). A scope that could
not be read is never reported as clean.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from gates.common import git
from gates.progress import Progress, Task
from gates.secrets.cache import CleanCommits
from gates.secrets.patch import FileReader, PatchReader
from gates.secrets.recover import recover
from gates.secrets.scanner import Origin, Scanner

SHALLOW_FIX = ("Fetch the full history: in GitHub Actions set `fetch-depth: 0` on actions/checkout "
               "(elsewhere: `git fetch --unshallow`), or pass --allow-shallow to scan only what this clone has.")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv"}


@dataclass
class Scope:
    name: str
    group: str
    error: str = ""  # non-empty: could not scan (the check is an error, never a pass)
    notes: list[str] = field(default_factory=list)
    properties: dict[str, int | str | bool] = field(default_factory=dict)


def history(root: Path, scanner: Scanner, allow_shallow: bool, cache: CleanCommits | None,
            progress: Progress, shallow: bool | None = None) -> Scope:
    scope = Scope("history (all refs)", "history")
    commits = git.rev_list(root, "--reverse", "--all")  # every ref and HEAD: empty means no commits yet
    if not commits:
        scope.notes.append("no commits yet")
        return scope
    if git.is_shallow(root) if shallow is None else shallow:
        visible = len(commits)
        if not allow_shallow:
            scope.error = f"shallow clone: only {visible} commits of the history are here. {SHALLOW_FIX}"
            scope.properties["commits_visible"] = visible
            return scope
        scope.notes.append(f"shallow clone: scanned only the {visible} commits this clone has (--allow-shallow)")
        scope.properties["shallow"] = True
        cache = None  # a boundary commit's patch changes once its parents are fetched
    todo = commits if cache is None else [c for c in commits if not cache.known(c)]
    scope.properties["commits_cached"] = len(commits) - len(todo)
    if cache is not None:
        scanner.clean_lines = cache.lines
        # oldest first, so the first commit that added a secret keeps it
        scanner.restore(recover(root, [item for commit in commits for item in cache.found.get(commit, ())]))
    task = progress.task("Scanning history", total=len(todo))
    if len(todo) == len(commits):
        _stream(root, git.log_patch_args(["--all"]), scanner, task)
    elif todo:
        _stream(root, git.log_patch_args(commits_on_stdin=True), scanner, task, "\n".join(todo).encode())
    scanner.finish()
    if cache is not None:
        cache.record(todo, scanner.by_commit)
    return scope


def commit_range(root: Path, spec: str, scanner: Scanner, allow_shallow: bool, progress: Progress) -> Scope:
    revs = git.parse_range(spec)
    scope = Scope(f"range {revs.spec}", "range")
    missing = [ref for ref in (revs.base, revs.head) if git.resolve(root, ref) is None]
    if missing:
        if git.is_shallow(root):
            fix = f"(this is a shallow clone). {SHALLOW_FIX}"
        else:
            fix = (f"(a branch not fetched yet?). Fetch it first, e.g. `git fetch origin {missing[0]}` (in GitHub "
                   "Actions: `fetch-depth: 0` on actions/checkout), or name a base this clone has.")
        scope.error = f"{', '.join(missing)} is not a commit in this clone: cannot scan {revs.spec} {fix}"
        return scope
    commits = git.rev_list(root, "--reverse", revs.spec)
    cut = git.shallow_boundaries(root).intersection(commits)
    if cut:
        if not allow_shallow:
            scope.error = (f"shallow clone: {len(cut)} commit(s) of {revs.spec} have parents this clone lacks, "
                           f"so what they added cannot be told apart. {SHALLOW_FIX}")
            return scope
        scope.notes.append("shallow clone: the range reaches the clone's boundary (--allow-shallow)")
        scope.properties["shallow"] = True
    task = progress.task(f"Scanning {revs.spec}", total=len(commits))
    _stream(root, git.log_patch_args([revs.spec]), scanner, task)
    return scope


def staged(root: Path, scanner: Scanner) -> Scope:
    scope = Scope("staged changes", "staged")
    with git.stream(root, git.diff_patch_args(cached=True)) as chunks:
        PatchReader(scanner).feed(chunks)
    return scope


def _stream(root: Path, args: list[str], scanner: Scanner, task: Task, stdin: bytes | None = None) -> None:
    with git.stream(root, args, stdin=stdin) as chunks:
        PatchReader(scanner, task.advance).feed(chunks)


def disk(root: Path, paths: list[str], scanner: Scanner, max_bytes: int, group: str) -> Scope:
    """Files and folders as they are on disk (build output) or log files."""
    scope = Scope(f"{group}: {', '.join(paths)}", group)
    truncated = skipped = 0
    for name in paths:
        target = (root / name) if not os.path.isabs(name) else Path(name)
        if not target.exists():
            scope.error = f"{name}: no such file or folder"
            return scope
        for file in _walk(target):
            shown = _display(file, root)
            try:
                with file.open("rb") as handle:
                    if b"\0" in handle.read(8192):
                        skipped += 1
                        continue
                    handle.seek(0)
                    origin = Origin(shown)
                    scanner.counts.blobs += 1
                    if group == "paths":
                        scanner.file_added(origin)
                    truncated += _feed_file(handle, origin, scanner, max_bytes)
            except OSError as exc:
                scope.error = f"{shown}: cannot read: {exc.strerror}"
                return scope
    scope.properties.update(binary_files_skipped=skipped, files_truncated=truncated)
    if truncated:
        scope.notes.append(f"{truncated} file(s) larger than the size cap were scanned only up to it")
    return scope


def _walk(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    found: list[Path] = []
    for directory, dirs, files in os.walk(target):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found.extend(Path(directory) / f for f in sorted(files))
    return [f for f in found if f.is_file() and not f.is_symlink()]


def _display(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def _feed_file(handle: BinaryIO, origin: Origin, scanner: Scanner, max_bytes: int) -> int:
    """Scan a file in bounded chunks; 1 when it was cut at `max_bytes`."""
    left = max_bytes

    def chunks() -> Iterator[bytes]:
        nonlocal left
        while left > 0:
            chunk = handle.read(min(git.CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk

    FileReader(scanner, origin).feed(chunks())
    return 1 if left <= 0 and handle.read(1) else 0
