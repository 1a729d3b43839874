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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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


def build_spec(options: Options, users: int, result_path: Path) -> dict[str, Any]:
    return {
        "base_url": options.base_url,
        "users": users,
        "spawn_rate": options.spawn_rate,
        "duration": options.duration,
        "warmup": options.warmup,
        "think_time": list(options.think_time),
        "arrival_rate": options.arrival_rate,
        "headers": dict(options.headers),
        "login": asdict(options.login) if options.login else None,
        "routes": [_route_spec(route) for route in options.routes],
        "result_path": str(result_path),
    }


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_load(options: Options, users: int, progress: Progress | None = None) -> LoadResult:
    """One bounded load run; CannotEvaluate when the generator fails or overruns its time limit."""
    with tempfile.TemporaryDirectory(prefix="gates-timing-") as tmp:
        result_path = Path(tmp) / "result.json"
        log_path = Path(tmp) / "worker.log"
        spec = json.dumps(build_spec(options, users, result_path))
        planned = options.warmup + options.duration
        task = progress.task(f"Loading {options.base_url} ({users} users)", total=planned) if progress else None
        started = time.monotonic()
        with open(log_path, "w+b") as log:
            # -I: the child sees neither PYTHONPATH nor the script's directory; it needs only locust.
            child = subprocess.Popen([sys.executable, "-I", str(WORKER)], stdin=subprocess.PIPE, stdout=log,
                                     stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            assert child.stdin is not None
            child.stdin.write(spec.encode())
            child.stdin.close()
            try:
                _wait(child, options, started, task, planned)
            finally:
                if child.poll() is None:  # interrupted or over time: never leave a load running
                    child.kill()
                    child.wait()
            log.seek(0)
            output = log.read().decode(errors="replace")
        if child.returncode != 0 or not result_path.is_file():
            tail = redact(_tail(output), secret_values(options))
            raise CannotEvaluate(f"the load generator failed (exit {child.returncode}):\n{tail}")
        raw = json.loads(result_path.read_text(encoding="utf-8"))
    return _parse(raw, users, time.monotonic() - started)


def _wait(child: subprocess.Popen[bytes], options: Options, started: float, task: Task | None,
          planned: float) -> None:
    done = 0.0
    while child.poll() is None:
        elapsed = time.monotonic() - started
        if elapsed > options.hard_timeout:
            raise CannotEvaluate(f"the load generator did not finish within {options.hard_timeout:.0f}s")
        if task is not None and elapsed - done >= 0.5:
            task.advance(min(elapsed, planned) - done)
            done = min(elapsed, planned)
        time.sleep(0.1)


def _parse(raw: dict[str, Any], users: int, elapsed: float) -> LoadResult:
    routes = {
        name: RouteSamples(
            offsets=tuple(data["t"]), latencies_ms=tuple(data["ms"]), ok=tuple(bool(v) for v in data["ok"]),
            cold_start_ms=data.get("cold_start_ms"), errors=dict(data.get("errors") or {}),
        )
        for name, data in raw["routes"].items()
    }
    login = raw.get("login") or {}
    return LoadResult(
        users=users, routes=routes, locust_version=str(raw.get("locust_version", "")),
        cpu_warning=bool(raw.get("cpu_warning")), login_ok=int(login.get("ok", 0)),
        login_failed=int(login.get("failed", 0)), login_error=str(login.get("error", "")), elapsed_s=elapsed,
    )
