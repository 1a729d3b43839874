"""The secrets gate's Options, from its config table (merged with flags) and the run's stage.

Without any config the gate still runs: history in a repository (a pull-request range when the
stage knows the base), the index under pre-commit. Outside a git repository only --paths/--logs
can be scanned.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gates.common import git
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured, UsageError
from gates.secrets.suppress import Allow, parse_allow

MODES = ("history", "range", "staged", "paths")
DEFAULT_BASELINE = ".secrets.baseline"
DEFAULT_MAX_FILE_MB = 50.0
CACHE_OFF = ("", "off", "none", "false")


@dataclass(frozen=True)
class Options:
    root: Path
    mode: str  # history | range | staged | paths (disk only)
    range: str | None = None
    paths: tuple[str, ...] = ()
    logs: tuple[str, ...] = ()
    baseline: Path | None = None
    allow_shallow: bool = False
    allow: tuple[Allow, ...] = ()
    max_file_bytes: int = int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
    cache_dir: Path | None = None
    use_baseline: bool = True  # False when writing a baseline: every finding counts
    shallow: bool | None = None  # what git said while the options were read (spares a call); None: ask it


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    root = ctx.root.resolve()
    top, git_dir, shallow = _repository(root)
    paths, logs = _strings(section, "paths"), _strings(section, "logs")
    mode = _mode(section, ctx, top is not None, bool(paths or logs))
    spec = section.get("range") or (_stage_range(ctx) if mode == "range" else None)
    if mode == "range":
        if not spec:
            raise UsageError("secrets: --range needs BASE..HEAD (or run under `gates run --stage pr --base-ref`)")
        try:
            git.parse_range(str(spec))
        except ValueError as exc:
            raise ConfigError(f"[secrets] range: {exc}") from None
    if mode != "paths" and top is None:
        raise NotConfigured(f"{root} is not inside a git repository: run in one, or scan files with --paths/--logs")
    if top is not None:
        root = top
    if mode == "paths":
        if not paths and not logs:
            raise UsageError("secrets: --paths/--logs: nothing to scan (name files or folders)")
        for name in (*paths, *logs):
            if not (root / name).exists():
                raise UsageError(f"secrets: {name}: no such file or folder")
    return Options(
        root=root,
        mode=mode,
        range=str(spec) if spec else None,
        paths=paths,
        logs=logs,
        baseline=root / str(section.get("baseline") or DEFAULT_BASELINE),
        allow_shallow=bool(section.get("allow_shallow", False)),
        allow=parse_allow(section.get("allow") or []),
        max_file_bytes=_max_bytes(section.get("max_file_mb", DEFAULT_MAX_FILE_MB)),
        cache_dir=_cache_dir(section.get("cache"), root, git_dir),
        shallow=shallow,
    )


def _strings(section: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = section.get(key) or ()
    if isinstance(value, str):
        value = [value]
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"[secrets] {key}: expected an array of strings, got {value!r}")
    return tuple(value)


def _mode(section: Mapping[str, Any], ctx: GateContext, in_git: bool, has_files: bool) -> str:
    mode = section.get("mode")
    if mode is not None:
        if mode not in MODES:
            raise ConfigError(f"[secrets] mode: expected one of {', '.join(MODES)}, got {mode!r}")
        return str(mode)
    if section.get("range"):
        return "range"
    if not in_git and has_files:
        return "paths"
    if ctx.stage == "pre-commit":
        # At pre-push, pre-commit runs the same hook and names the pushed commits in PRE_COMMIT_FROM_REF /
        # PRE_COMMIT_TO_REF; the index is then usually empty, so scanning it would pass having read nothing.
        # A push of a branch with no commit on the remote yet comes without those refs: read all history.
        if _pre_commit_range():
            return "range"
        return "history" if os.environ.get("PRE_COMMIT_REMOTE_NAME") else "staged"
    if ctx.stage == "pr" and _stage_range(ctx):
        return "range"
    return "history"


def _stage_range(ctx: GateContext) -> str | None:
    """The pull-request range this run knows: --base-ref, GitHub's base branch, or pre-commit's refs."""
    if ctx.stage == "pre-commit":
        return _pre_commit_range()
    base = ctx.base_ref or os.environ.get("GITHUB_BASE_REF")
    if base:
        if os.environ.get("GITHUB_BASE_REF") == base and git.resolve(ctx.root, f"origin/{base}"):
            base = f"origin/{base}"
        return f"{base}..HEAD"
    return _pre_commit_range()


def _pre_commit_range() -> str | None:
    start, end = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    return f"{start}..{end}" if start and end else None


def _max_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"[secrets] max_file_mb: expected a positive number, got {value!r}")
    return int(value * 1024 * 1024)


def _repository(path: Path) -> tuple[Path | None, Path | None, bool | None]:
    """The work tree root, git directory and shallowness of the repository holding `path`: one git call."""
    try:
        out = git.run_git(path, "rev-parse", "--show-toplevel", "--absolute-git-dir", "--is-shallow-repository",
                          check=False)
    except (git.GitError, OSError):
        return None, None, None
    lines = out.decode("utf-8", "replace").splitlines()
    if len(lines) != 3 or not lines[0] or not lines[1] or lines[2] not in ("true", "false"):
        return None, None, None
    return Path(lines[0]), Path(lines[1]).resolve(), lines[2] == "true"


def _cache_dir(value: Any, root: Path, git_dir: Path | None) -> Path | None:
    if value is not None and str(value).lower() in CACHE_OFF:
        return None
    if value:
        return root / str(value)
    return git_dir / "gates-cache" if git_dir is not None else None
