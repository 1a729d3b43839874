"""Run one load in a child process (gates/timing/worker.py) and read its raw samples back.

The child holds Locust and gevent's monkey-patching; this process only writes a JSON spec to its stdin,
waits with a hard time limit, and reads the result file. Nothing of gevent ever enters the gates process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from gates.errors import CannotEvaluate
from gates.progress import Progress, Task
from gates.redact import redact
from gates.timing.options import Options, Route, secret_values

WORKER = Path(__file__).with_name("worker.py")


@dataclass(frozen=True)
class RouteSamples:
    offsets: tuple[float, ...]  # seconds from the start of measurement
    latencies_ms: tuple[float, ...]
    ok: tuple[bool, ...]
    cold_start_ms: float | None = None
    errors: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, int] = field(default_factory=dict)  # answered 3xx (not followed), by status and target


@dataclass(frozen=True)
class LoadResult:
    users: int
    routes: dict[str, RouteSamples]
    locust_version: str
    cpu_warning: bool
    login_ok: int = 0
    login_failed: int = 0
    login_error: str = ""
    elapsed_s: float = 0.0


def _route_spec(route: Route) -> dict[str, Any]:
    return {"name": route.name, "method": route.method, "path": route.path, "weight": route.weight,
            "json": route.json, "body": route.body, "headers": dict(route.headers), "auth": route.auth}


def build_spec(options: Options, users: int, result_path: Path, share: float = 1.0) -> dict[str, Any]:
    """The child's instructions; `share` is its part of an open workload's arrival rate."""
    return {
        "base_url": options.base_url,
        "users": users,
        "spawn_rate": options.spawn_rate * share if options.spawn_rate else None,
        "duration": options.duration,
        "warmup": options.warmup,
        "think_time": list(options.think_time),
        "arrival_rate": options.arrival_rate * share if options.arrival_rate else None,
        "headers": dict(options.headers),
        "login": asdict(options.login) if options.login else None,
        "routes": [_route_spec(route) for route in options.routes],
        "drain": options.drain,
        "verify": options.verify,
        "ca_bundle": str(options.ca_bundle) if options.ca_bundle else None,
        "result_path": str(result_path),
    }


def split(total: int, parts: int) -> list[int]:
    """`total` users over `parts` processes, as evenly as whole users allow (none gets zero)."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_load(options: Options, users: int, progress: Progress | None = None) -> LoadResult:
    """One bounded load run over `processes` generator processes (one by default), their samples merged.

    CannotEvaluate when a generator fails or the run overruns its hard time limit.
    """
    shares = split(users, options.processes)
    planned = options.warmup + options.duration
    task = progress.task(f"Loading {options.base_url} ({users} users)", total=planned) if progress else None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gates-timing-") as tmp, ExitStack() as stack:
        children = []
        for index, share in enumerate(shares):
            result_path = Path(tmp) / f"result-{index}.json"
            log = stack.enter_context(open(Path(tmp) / f"worker-{index}.log", "w+b"))
            spec = build_spec(options, share, result_path, share / users)
            children.append((_spawn(spec, log), log, result_path))
        try:
            _wait([child for child, _, _ in children], options, started, task, planned)
        finally:
            for child, _, _ in children:
                if child.poll() is None:  # interrupted or over time: never leave a load running
                    child.kill()
                    child.wait()
        raws = [_read(options, child, log, result_path) for child, log, result_path in children]
    return _merge([_parse(raw) for raw in raws], users, time.monotonic() - started)


def _spawn(spec: dict[str, Any], log: IO[bytes]) -> subprocess.Popen[bytes]:
    # -I: the child sees neither PYTHONPATH nor the script's directory; it needs only locust.
    child = subprocess.Popen([sys.executable, "-I", str(WORKER)], stdin=subprocess.PIPE, stdout=log,
                             stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert child.stdin is not None
    child.stdin.write(json.dumps(spec).encode())
    child.stdin.close()
    return child


def _read(options: Options, child: subprocess.Popen[bytes], log: IO[bytes], result_path: Path) -> dict[str, Any]:
    if child.returncode != 0 or not result_path.is_file():
        log.seek(0)
        tail = redact(_tail(log.read().decode(errors="replace")), secret_values(options))
        raise CannotEvaluate(f"the load generator failed (exit {child.returncode}):\n{tail}")
    try:
        raw = json.loads(result_path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or not isinstance(raw.get("routes"), dict):
            raise ValueError("no routes")
    except (OSError, ValueError) as exc:
        raise CannotEvaluate(f"the load generator wrote an unreadable result ({exc})") from None
    if raw.get("crash"):
        log.seek(0)
        tail = redact(_tail(log.read().decode(errors="replace")), secret_values(options))
        crash = redact(str(raw["crash"]), secret_values(options))
        raise CannotEvaluate(f"the load generator crashed: {crash}" + (f"\n{tail}" if tail else ""))
    return raw


def _wait(children: list[subprocess.Popen[bytes]], options: Options, started: float, task: Task | None,
          planned: float) -> None:
    done = 0.0
    while any(child.poll() is None for child in children):
        elapsed = time.monotonic() - started
        if elapsed > options.hard_timeout:
            raise CannotEvaluate(f"the load generator did not finish within {options.hard_timeout:.0f}s")
        if task is not None and elapsed - done >= 0.5:
            task.advance(min(elapsed, planned) - done)
            done = min(elapsed, planned)
        time.sleep(0.1)


def _parse(raw: dict[str, Any]) -> LoadResult:
    routes = {
        name: RouteSamples(
            offsets=tuple(data["t"]), latencies_ms=tuple(data["ms"]), ok=tuple(bool(v) for v in data["ok"]),
            cold_start_ms=data.get("cold_start_ms"), errors=dict(data.get("errors") or {}),
            redirects=dict(data.get("redirects") or {}),
        )
        for name, data in raw["routes"].items()
    }
    login = raw.get("login") or {}
    return LoadResult(
        users=0, routes=routes, locust_version=str(raw.get("locust_version", "")),
        cpu_warning=bool(raw.get("cpu_warning")), login_ok=int(login.get("ok", 0)),
        login_failed=int(login.get("failed", 0)), login_error=str(login.get("error", "")),
    )


def _merge(parts: list[LoadResult], users: int, elapsed: float) -> LoadResult:
    """One result from every process: samples side by side; the slowest cold start (each process has one)."""
    routes = {}
    for name in parts[0].routes:
        samples = [part.routes[name] for part in parts]
        colds = [s.cold_start_ms for s in samples if s.cold_start_ms is not None]
        errors: dict[str, int] = {}
        redirects: dict[str, int] = {}
        for sample in samples:
            for reason, count in sample.errors.items():
                errors[reason] = errors.get(reason, 0) + count
            for reason, count in sample.redirects.items():
                redirects[reason] = redirects.get(reason, 0) + count
        routes[name] = RouteSamples(
            offsets=tuple(v for s in samples for v in s.offsets),
            latencies_ms=tuple(v for s in samples for v in s.latencies_ms),
            ok=tuple(v for s in samples for v in s.ok),
            cold_start_ms=max(colds) if colds else None, errors=errors, redirects=redirects,
        )
    return LoadResult(
        users=users, routes=routes, locust_version=parts[0].locust_version,
        cpu_warning=any(part.cpu_warning for part in parts), login_ok=sum(part.login_ok for part in parts),
        login_failed=sum(part.login_failed for part in parts),
        login_error=next((part.login_error for part in parts if part.login_error), ""), elapsed_s=elapsed,
    )
