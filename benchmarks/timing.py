"""Accuracy and capacity of the timing gate's load generator, against the server's own clock, wrk and Locust.

In one run, on loopback only, every load bounded in time:

1. accuracy: the gate's p50/p95 on a route that sleeps 50 ms versus the same percentiles measured inside
   the server (ASGI middleware); target within +-2 ms or 2%.
2. capacity: requests per second on a trivial route with one generator process: the gate, plain
   `locust --headless` (FastHttpUser) and `wrk` (Debian package); ratios to wrk (target >= 0.5).
3. the stalling server (300 ms stall every 2 s): closed workload versus open workload p95.

    python benchmarks/timing.py [--runs 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import csv
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this directory comes first on sys.path, where benchmarks/secrets.py would shadow the
# standard library's `secrets` (starlette imports it).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

from gates.config import Config  # noqa: E402
from gates.context import GateContext  # noqa: E402
from gates.timing import options_from_config, run  # noqa: E402
from tests.servers.timing_app import free_port, serve  # noqa: E402

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class ServerClock:
    """ASGI middleware: how long each request took inside the server, per path."""

    def __init__(self, app: ASGI) -> None:
        self.app = app
        self.samples: dict[str, list[float]] = {}

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.setdefault(scope["path"], []).append((time.perf_counter() - started) * 1000)

        await self.app(scope, receive, timed_send)


def nearest_rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def gate(section: dict[str, Any]) -> Any:
    ctx = GateContext(root=Path(tempfile.gettempdir()), config=Config(None, Path(tempfile.gettempdir())))
    return run(options_from_config({"min_requests": 1, "baseline": "gates-bench-none.json", **section}, ctx))


def accuracy(runs: int, seconds: float) -> None:
    print("1. accuracy: /sleep/50, 10 users, think time 0.1 s")
    diffs: dict[str, list[float]] = {"p50": [], "p95": []}
    for _ in range(runs):
        clock: ServerClock | None = None

        def wrap(app: Any) -> Any:
            nonlocal clock
            clock = ServerClock(app)
            return clock

        with serve(wrap=wrap) as url:
            report = gate({"base_url": url, "users": 10, "duration": seconds, "think_time": 0.1,
                           "routes": [{"name": "sleep50", "path": "/sleep/50", "p95_ms": 1000}]})
            assert clock is not None
            # The gate reports its first request as the cold start, not a sample; the server saw it too.
            server = list(clock.samples["/sleep/50"][1:])
            wrk_p50 = _wrk_median_latency(f"{url}/sleep/50", seconds)
        props = report.checks[0].properties
        for label, fraction in (("p50", 0.5), ("p95", 0.95)):
            truth = nearest_rank(server, fraction)
            diffs[label].append(float(props[f"{label}_ms"]) - truth)
            peer = f", wrk {wrk_p50:.2f} ms" if label == "p50" and wrk_p50 is not None else ""
            print(f"   {label}: gate {props[f'{label}_ms']:.2f} ms, server {truth:.2f} ms{peer} "
                  f"({props['requests']} gate samples, {len(server)} server samples)")
    for label, values in diffs.items():
        median = statistics.median(values)
        print(f"   median {label} difference: {median:+.2f} ms ({median / 50:+.1%} of 50 ms); target +-2 ms or 2%")
    # Where the difference comes from: the same load without think time keeps the generator busy, so no
    # request pays for waking an idle process (gevent's I/O wake-up after a pause, about 1 ms here).
    clock = None
    with serve(wrap=wrap) as url:
        report = gate({"base_url": url, "users": 10, "duration": seconds, "think_time": 0,
                       "routes": [{"name": "sleep50", "path": "/sleep/50", "p95_ms": 1000}]})
        assert clock is not None
        server = list(clock.samples["/sleep/50"][1:])
    props = report.checks[0].properties
    print(f"   no think time: p50 {float(props['p50_ms']) - nearest_rank(server, 0.5):+.2f} ms, "
          f"p95 {float(props['p95_ms']) - nearest_rank(server, 0.95):+.2f} ms against the server "
          f"({props['requests']} samples)")


def _wrk_median_latency(url: str, seconds: float) -> float | None:
    """wrk's own p50 on the same route (10 connections, no think time), as a second reference."""
    if shutil.which("wrk") is None:
        return None
    done = subprocess.run(["wrk", "-t1", "-c10", f"-d{seconds:g}s", "--latency", url], capture_output=True,
                          text=True, check=False, timeout=seconds + 30)
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "50%":
            number = parts[1].rstrip("mus")
            unit = parts[1][len(number):]
            return float(number) * units.get(unit, 1.0)
    return None


def _server_process(port: int) -> subprocess.Popen[bytes]:
    script = ROOT / "tests" / "servers" / "timing_app.py"
    process = subprocess.Popen([sys.executable, str(script), "--port", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    import httpx

    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the benchmark server did not start")


def _gate_rps(url: str, users: int, seconds: float) -> float:
    report = gate({"base_url": url, "users": users, "duration": seconds, "think_time": 0,
                   "routes": [{"name": "fast", "path": "/fast"}]})
    return float(report.checks[0].properties["rps"])


def _locust_rps(url: str, users: int, seconds: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        locustfile = Path(tmp) / "locustfile.py"
        locustfile.write_text(
            "from locust import FastHttpUser, task\n\n"
            "class Fast(FastHttpUser):\n    @task\n    def fast(self):\n        self.client.get('/fast')\n"
        )
        locust = str(Path(sys.executable).with_name("locust"))
        subprocess.run([locust, "-f", str(locustfile), "--headless", "-u", str(users), "-r", str(users),
                        "-t", f"{seconds:g}s", "--host", url, "--csv", str(Path(tmp) / "out"), "--only-summary"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=seconds + 60)
        with open(Path(tmp) / "out_stats.csv", encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
        return float(row["Requests/s"])


def _wrk_rps(url: str, users: int, seconds: float) -> float | None:
    if shutil.which("wrk") is None:
        return None
    done = subprocess.run(["wrk", "-t1", f"-c{users}", f"-d{seconds:g}s", f"{url}/fast"], capture_output=True,
                          text=True, check=False, timeout=seconds + 30)
    for line in done.stdout.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


def capacity(runs: int, seconds: float, users: int = 50) -> None:
    print(f"2. capacity: /fast, {users} connections, one generator process, server in its own process")
    port = free_port()
    server = _server_process(port)
    url = f"http://127.0.0.1:{port}"
    rates: dict[str, list[float]] = {"gate": [], "locust": [], "wrk": []}
    try:
        for _ in range(runs):  # interleaved, so machine noise hits every tool alike
            rates["gate"].append(_gate_rps(url, users, seconds))
            rates["locust"].append(_locust_rps(url, users, seconds))
            wrk = _wrk_rps(url, users, seconds)
            if wrk is not None:
                rates["wrk"].append(wrk)
    finally:
        server.terminate()
        server.wait(10)
    medians = {name: statistics.median(values) for name, values in rates.items() if values}
    for name, value in medians.items():
        print(f"   {name:<7} median {value:8.0f} req/s  (runs: {', '.join(f'{v:.0f}' for v in rates[name])})")
    if "wrk" in medians:
        print(f"   ratio gate/wrk {medians['gate'] / medians['wrk']:.2f} (target >= 0.5), "
              f"locust/wrk {medians['locust'] / medians['wrk']:.2f}, gate/locust "
              f"{medians['gate'] / medians['locust']:.2f}")
    else:
        print(f"   wrk not installed (apt-get install wrk); gate/locust {medians['gate'] / medians['locust']:.2f}")


def stall(seconds: float) -> None:
    print("3. a server that stalls 300 ms every 2 s: closed versus open workload, /fast")
    with serve(stall_every=2.0, stall_ms=300) as url:
        route = [{"name": "fast", "path": "/fast", "p95_ms": 100}]
        rows: list[tuple[str, dict[str, Any]]] = [
            ("closed, 10 users, no think time", {"users": 10, "think_time": 0}),
            ("closed, 25 users, think 0.5-1.5 s", {"users": 25, "think_time": [0.5, 1.5]}),
            ("open, 50 requests/s", {"users": 25, "arrival_rate": 50}),
        ]
        checks = [(label, gate({"base_url": url, "duration": seconds, "routes": route, **extra}).checks[0])
                  for label, extra in rows]
    for label, check in checks:
        props = check.properties
        print(f"   {label:<36} p50 {props['p50_ms']:7.1f} ms  p95 {props['p95_ms']:7.1f} ms  "
              f"p99 {props['p99_ms']:7.1f} ms  {props['requests']:>6} req -> {check.status.value}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    accuracy(args.runs, args.seconds)
    capacity(args.runs, args.seconds)
    stall(max(args.seconds, 10.0))


if __name__ == "__main__":
    main()
