"""A 20-check smoke suite against the loopback app: `gates smoke` versus a sequential `curl` loop.

The curl loop is what a hand-written post-deploy script does (`for path in ...; do curl -fsS ...; done`):
one process and one connection per request, one request after another. `gates smoke` runs the same 20
requests concurrently from one process (its wall time includes interpreter start-up; the in-process
line shows the gate's own time). Five of the routes
answer after 50 ms, like a page that queries a database. Prints medians and the ratio (target: < 1 s wall).

    python benchmarks/smoke.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this directory comes first on sys.path, and benchmarks/secrets.py would shadow the
# standard library's secrets module (which starlette imports): put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from tests.servers.http_app import serve  # noqa: E402

PATHS = [
    "/", "/health", "/json", "/redirect", "/status/204",
    "/slow?delay=0.05", "/slow?delay=0.05", "/slow?delay=0.05", "/slow?delay=0.05", "/slow?delay=0.05",
    "/health?n=1", "/health?n=2", "/health?n=3", "/json?n=1", "/json?n=2",
    "/?n=1", "/?n=2", "/?n=3", "/status/200", "/status/201",
]


def config_text(base_url: str) -> str:
    lines = [f'[smoke]\nbase_url = "{base_url}"\nretries = 0\n']
    for index, path in enumerate(PATHS):
        lines.append(f'[[smoke.checks]]\nname = "check {index + 1:02d}"\npath = "{path}"\nmax_ms = 3000\n')
    return "\n".join(lines)


def timed(argv: list[str], cwd: str) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, done.returncode


def curl_loop(base_url: str, curl: str) -> tuple[float, int]:
    started = time.perf_counter()
    worst = 0
    for path in PATHS:
        done = subprocess.run([curl, "-sS", "-o", "/dev/null", "--max-time", "10", "-w", "%{http_code}",
                               base_url + path], capture_output=True, text=True, check=False)
        code = int(done.stdout or 0)
        worst = max(worst, done.returncode, 1 if not 200 <= code < 400 else 0)
    return time.perf_counter() - started, worst


def in_process(base_url: str) -> float:
    """The gate's own time, without interpreter start-up: run() on the same 20 checks."""
    from gates.config import Config
    from gates.context import GateContext
    from gates.smoke import options_from_config, run

    section = {"base_url": base_url, "retries": 0,
               "checks": [{"name": f"check {i}", "path": path} for i, path in enumerate(PATHS)]}
    root = Path.cwd()
    options = options_from_config(section, GateContext(root=root, config=Config(None, root, {})))
    started = time.perf_counter()
    report = run(options)
    if report.exit_code != 0:
        sys.exit(f"run() exited {report.exit_code}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = max(3, parser.parse_args().runs)
    curl = shutil.which("curl")
    if curl is None:
        sys.exit("curl is not installed: nothing to compare with")
    gates = [os.path.join(os.path.dirname(sys.executable), "gates"), "smoke", "--quiet"]
    samples: dict[str, list[float]] = {"gates smoke (20 checks, concurrent)": [], "curl loop (20 requests)": [],
                                       "gates.smoke.run() in-process": []}
    with serve() as server, tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "gates.toml").write_text(config_text(server.url), encoding="utf-8")
        subprocess.run(["git", "init", "-q", tmp], check=True)
        timed(gates, tmp)  # warm the page cache
        curl_loop(server.url, curl)
        for _ in range(runs):  # alternate so machine noise hits both alike
            elapsed, code = timed(gates, tmp)
            if code != 0:
                sys.exit(f"gates smoke exited {code}")
            samples["gates smoke (20 checks, concurrent)"].append(elapsed)
            elapsed, code = curl_loop(server.url, curl)
            if code != 0:
                sys.exit("the curl loop saw a failure")
            samples["curl loop (20 requests)"].append(elapsed)
            samples["gates.smoke.run() in-process"].append(in_process(server.url))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, median in medians.items():
        print(f"{name:40s} median {median * 1000:7.0f} ms over {runs} runs")
    gates_median, curl_median, _ = medians.values()
    print(f"ratio gates/curl: {gates_median / curl_median:.2f}x  (target: gates smoke < 1 s wall:"
          f" {'met' if gates_median < 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
