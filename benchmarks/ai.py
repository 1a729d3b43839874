"""Benchmark for `gates ai` (not a test): the built-in attack set against the loopback chat app with a
200 ms answer delay.

Peers on the same input in the same run:
  - baseline: a plain sequential httpx loop that only sends the prompts (no judging) — what a hand-written
    script does; no LLM red-teaming tool (garak, promptfoo) is installable offline here, so none is run.
  - the gate at concurrency 1 (sequential) and at concurrency 8 (its default).
Prints the median wall time of each over --repeat runs and the ratios. Target: the set in < 5 s at 8.

    .venv/bin/python benchmarks/ai.py [--repeat 3] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, this directory comes first on sys.path, and benchmarks/email.py would shadow the standard
# library's `email` (which httpx imports through urllib.request): drop it, put the repository first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from gates.ai import options_from_config, run  # noqa: E402
from gates.config import Config  # noqa: E402
from gates.context import GateContext  # noqa: E402
from tests.servers import chat_app  # noqa: E402


def baseline(url: str, prompts: list[str]) -> float:
    started = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for prompt in prompts:
            client.post(url, json={"messages": [{"role": "user", "content": prompt}]}).raise_for_status()
    return time.perf_counter() - started


def gate(url: str, concurrency: int) -> float:
    section = {"url": url, "canaries": [chat_app.CANARY], "concurrency": concurrency, "max_requests": 100}
    options = options_from_config(section, GateContext(root=ROOT, config=Config(None, ROOT)))
    started = time.perf_counter()
    report = run(options)
    elapsed = time.perf_counter() - started
    if report.exit_code != 0:
        raise SystemExit(f"the safe bot should pass, got exit {report.exit_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.2, help="answer delay of the loopback bot (seconds)")
    args = parser.parse_args()
    with chat_app.serve() as base:
        url = f"{base}/safe/chat?delay={args.delay}"
        options = options_from_config({"url": url}, GateContext(root=ROOT, config=Config(None, ROOT)))
        prompts = [prompt for case in options.cases for prompt in case.prompts]
        times: dict[str, list[float]] = {"httpx loop (sequential)": [], "gates ai --concurrency 1": [],
                                         "gates ai --concurrency 8": []}
        for _ in range(args.repeat):
            times["httpx loop (sequential)"].append(baseline(url, prompts))
            times["gates ai --concurrency 1"].append(gate(url, 1))
            times["gates ai --concurrency 8"].append(gate(url, 8))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{len(prompts)} attacks, answer delay {args.delay * 1000:.0f} ms, median of {args.repeat} runs")
    for name, value in medians.items():
        print(f"  {name:<26} {value:7.2f} s")
    loop, seq, par = medians.values()
    print(f"  ratio httpx loop / gates ai concurrency 8: {loop / par:.1f}x")
    print(f"  ratio gates ai concurrency 1 / 8:          {seq / par:.1f}x")
    print(f"  target < 5 s at concurrency 8:             {'met' if par < 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
