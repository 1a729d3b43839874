"""Git helpers: run git, find the repository, detect shallow clones, stream patches, resolve ranges.

Everything runs `git` as a subprocess with a fixed, locale-free environment; output is bytes so
non-UTF-8 file names and contents survive. `stream` reads a long-running git command in chunks of
bounded size, so a 50 MB minified line never becomes one 50 MB Python string.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

CHUNK = 1024 * 1024  # bytes per read from a streaming git command


class GitError(Exception):
    """git failed or is missing; the message is meant for the user."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0"})
    return env


def _git_binary() -> str:
    found = shutil.which("git")
    if found is None:
        raise GitError("git is not installed (or not on PATH)")
    return found


def run_git(root: Path, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    """stdout of `git args` in `root`; GitError with git's own message when it fails."""
    done = subprocess.run([_git_binary(), *args], cwd=root, env=_env(), input=input,
                          capture_output=True, check=False)
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def git_text(root: Path, *args: str) -> str:
    return run_git(root, *args).decode("utf-8", "replace").strip()


def toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None when it is not inside a git repository."""
    try:
        out = run_git(path, "rev-parse", "--show-toplevel")
    except (GitError, OSError):
        return None
    text = out.decode("utf-8", "replace").strip()
    return Path(text) if text else None


def git_dir(root: Path) -> Path:
    return (root / git_text(root, "rev-parse", "--git-dir")).resolve()


def has_commits(root: Path) -> bool:
    return bool(run_git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).strip())


def is_shallow(root: Path) -> bool:
    return git_text(root, "rev-parse", "--is-shallow-repository") == "true"


def shallow_boundaries(root: Path) -> set[str]:
    """Commits whose parents this clone does not have (empty for a full clone)."""
    path = root / git_text(root, "rev-parse", "--git-path", "shallow")
    try:
        return {line.strip() for line in path.read_text().splitlines() if line.strip()}
    except OSError:
        return set()


def rev_list(root: Path, *revs: str) -> list[str]:
    return git_text(root, "rev-list", *revs).split()


def count_commits(root: Path, *revs: str) -> int:
    return int(git_text(root, "rev-list", "--count", *revs) or 0)


def resolve(root: Path, ref: str) -> str | None:
    """The commit id `ref` names, or None when this clone does not have it."""
    out = run_git(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
    return out.decode().strip() or None


@dataclass(frozen=True)
class RevRange:
    base: str
    head: str

    @property
    def spec(self) -> str:
        return f"{self.base}..{self.head}"


def parse_range(spec: str) -> RevRange:
    """`BASE..HEAD` (HEAD defaults to HEAD; `BASE...HEAD` is read as the same thing)."""
    text = spec.strip()
    if "..." in text:
        base, _, head = text.partition("...")
    elif ".." in text:
        base, _, head = text.partition("..")
    else:
        base, head = text, ""
    if not base:
        raise ValueError(f"range {spec!r}: expected BASE..HEAD")
    return RevRange(base, head or "HEAD")


def git_ok(root: Path, *args: str) -> bool:
    """Whether `git args` succeeds (for yes/no questions such as `cat-file -e`)."""
    done = subprocess.run([_git_binary(), *args], cwd=root, env=_env(), capture_output=True, check=False)
    return done.returncode == 0


def path_exists_at(root: Path, rev: str, path: str) -> bool:
    return git_ok(root, "cat-file", "-e", f"{rev}:{path}")


def files_containing(root: Path, rev: str, needle: str) -> list[str]:
    """Paths at `rev` whose content contains `needle` (fixed string); empty on any failure."""
    out = run_git(root, "grep", "-I", "-l", "-F", "-z", "-e", needle, rev, "--", check=False)
    prefix = f"{rev}:"
    return [p.decode("utf-8", "replace").removeprefix(prefix) for p in out.split(b"\0") if p]


@contextmanager
def stream(root: Path, args: Sequence[str], stdin: bytes | None = None) -> Iterator[Iterator[bytes]]:
    """Run git and yield an iterator over its stdout in chunks of at most CHUNK bytes (cut anywhere).

    Raises GitError after the iteration when git exited non-zero.
    """
    proc = subprocess.Popen([_git_binary(), *args], cwd=root, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.PIPE if stdin is not None else None,
                            bufsize=CHUNK)
    assert proc.stdout is not None and proc.stderr is not None
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
    out = cast(io.BufferedReader, proc.stdout)
    _widen_pipe(out.fileno())
    try:
        yield iter(lambda: out.read1(CHUNK), b"")
    finally:
        out.close()
        err = proc.stderr.read()
        code = proc.wait()
        proc.stderr.close()
    if code not in (0, -13):  # -13: we stopped reading early (SIGPIPE)
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:1])} failed: {message[-1] if message else code}")


def _widen_pipe(fd: int) -> None:
    """Ask Linux for a 1 MB pipe: fewer, larger reads while git streams (harmless where unsupported)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), CHUNK)
    except (ImportError, OSError):
        pass


def log_patch_args(revs: Sequence[str] = (), *, commits_on_stdin: bool = False) -> list[str]:
    """`git log` arguments streaming every added line of `revs`, oldest commit first.

    `-U0`: only changed lines; `%x00` marks each commit header so content can never be mistaken
    for one (content lines always start with +, - or space). With `commits_on_stdin`, exactly the
    commits written to stdin are shown, in that order.
    """
    args = ["-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
            "log", "-p", "-U0", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--format=%x00%H %aI"]
    if commits_on_stdin:
        return [*args, "--no-walk=unsorted", "--stdin"]
    return [*args, "--reverse", *revs, "--"]


def diff_patch_args(*revs: str, cached: bool = False) -> list[str]:
    """`git diff` arguments with the same patch shape as `log_patch_args` (no commit headers)."""
    args = ["-c", "core.quotePath=false", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
            "diff", "-U0", "-M", "--no-color", "--no-ext-diff", "--no-textconv"]
    if cached:
        args.append("--cached")
    return [*args, *revs, "--"]
