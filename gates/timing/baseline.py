"""The baseline file: figures of past good runs, compared like with like.

    {"version": 1, "runs": [{"time": ..., "fingerprint": {...}, "routes": {"login": {"p50_ms": ...}}}]}

A run is only compared with stored runs of the same fingerprint (workload, users, duration, think time,
CPU count, Locust version): figures from another machine or another load say nothing about a regression.
A route regresses when its p50 or p95 grew by more than BOTH `regression_pct` and `regression_ms` against
the median of the last N like runs, so noise on a 5 ms route never blocks.
"""

from __future__ import annotations

import fcntl
import json
import os
import statistics
import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gates.errors import CannotEvaluate
from gates.report import Finding
from gates.timing.figures import Figures
from gates.timing.options import Options

VERSION = 1
KEEP_RUNS = 50
COMPARED = ("p50_ms", "p95_ms")


def fingerprint(options: Options, users: int, locust_version: str) -> dict[str, Any]:
    return {
        "mode": options.mode, "users": users, "duration_s": options.duration, "warmup_s": options.warmup,
        "think_time_s": list(options.think_time) if options.mode == "closed" else None,
        "arrival_rate": options.arrival_rate, "processes": options.processes, "cpus": os.cpu_count(),
        "locust": locust_version,
    }


def load(path: Path) -> list[dict[str, Any]]:
    """The stored runs; CannotEvaluate when the file is unreadable or from another version of the format.

    Never silently empty: a baseline that cannot be read would otherwise turn every regression into a pass.
    """
    if not path.is_file():
        return []
    fix = "fix it, or delete it to start a new baseline"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CannotEvaluate(f"cannot read the timing baseline {path}: {exc} ({fix})") from None
    runs = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        raise CannotEvaluate(f"cannot read the timing baseline {path}: expected {{\"runs\": [...]}} ({fix})")
    version = data.get("version")
    if version != VERSION:
        raise CannotEvaluate(f"the timing baseline {path} has format version {version!r}; this gates reads "
                             f"version {VERSION} (written by another gates release: {fix})")
    return [run for run in runs if isinstance(run, dict) and isinstance(run.get("routes"), dict)]


def like_runs(runs: list[dict[str, Any]], fingerprint: Mapping[str, Any], last: int) -> list[dict[str, Any]]:
    """The last `last` stored runs made under the same conditions as this one."""
    return [run for run in runs if run.get("fingerprint") == dict(fingerprint)][-last:]


def reference(like: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per route, the median of each compared figure over these runs."""
    merged: dict[str, dict[str, list[float]]] = {}
    for run in like:
        for name, figures in (run.get("routes") or {}).items():
            if not isinstance(figures, dict):
                continue
            for key in COMPARED:
                value = figures.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                    merged.setdefault(name, {}).setdefault(key, []).append(float(value))
    return {name: {key: statistics.median(values) for key, values in keys.items()} for name, keys in merged.items()}


def regressions(name: str, figures: Figures, base: Mapping[str, float], pct: float, ms: float) -> list[Finding]:
    findings = []
    for key in COMPARED:
        if key not in base:
            continue
        before, now = base[key], getattr(figures, key)
        grown = now - before
        if grown > ms and grown > before * pct / 100:
            label = key.removesuffix("_ms")
            growth = f", +{grown / before:.0%}" if before > 0 else ""
            findings.append(Finding(
                f"{label}-regression",
                f"{name}: {label} {now:.0f} ms against a baseline of {before:.0f} ms (+{grown:.0f} ms{growth}; "
                f"tolerance {pct:g}% and {ms:g} ms)",
                fix="find what made this route slower, or run with --update-baseline once the change is intended",
            ))
    return findings


def append(path: Path, print_: Mapping[str, Any], figures: Mapping[str, Figures]) -> None:
    """Add this run to the file: re-read under a lock and replaced whole (temp file + rename), so two CI
    jobs updating at once both keep their run and a reader never sees half a file."""
    run = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fingerprint": dict(print_),
        "routes": {
            name: {"p50_ms": round(f.p50_ms, 2), "p95_ms": round(f.p95_ms, 2), "p99_ms": round(f.p99_ms, 2),
                   "error_rate": round(f.error_rate, 4), "rps": round(f.rps, 2)}
            for name, f in figures.items()
        },
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            runs = load(path)  # what another writer added since this run started
            data = {"version": VERSION, "runs": [*runs, run][-KEEP_RUNS:]}
            handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                                 suffix=".tmp", delete=False)
            try:
                with handle:
                    handle.write(json.dumps(data, indent=2) + "\n")
                os.replace(handle.name, path)
            except BaseException:
                os.unlink(handle.name)
                raise
    except OSError as exc:
        raise CannotEvaluate(f"cannot write the timing baseline {path}: {exc.strerror or exc}") from None
