"""Startup cost of the CLI (it runs as a pre-commit hook on every commit).

Measures `gates --help` and `gates secrets --help` against `python -c pass`, alternating the
commands so machine noise hits all of them alike, and prints medians and ratios (target <= 2.5x).

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = max(10, parser.parse_args().runs)
    # the `gates` script installed beside this interpreter (a venv), else the one on PATH
    gates = os.path.join(os.path.dirname(sys.executable), "gates")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import click'": [sys.executable, "-c", "import click"],  # the floor any click CLI pays
        "gates --help": [gates, "--help"],
        "gates secrets --help": [gates, "secrets", "--help"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the page cache once
        timed(argv)
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(timed(argv))
    base = statistics.median(samples["python -c pass"])
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:26s} median {median * 1000:7.1f} ms  ratio {median / base:5.2f}x  (n={len(values)})")


if __name__ == "__main__":
    main()
