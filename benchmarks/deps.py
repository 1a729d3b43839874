"""Benchmark: `gates deps --db` (offline, cold and warm index) against stock pip-audit on the same
300-package requirements file, both reading the same OSV records.

The peer is `pip-audit -s osv --osv-url` pointed at a loopback OSV endpoint
(gates.deps.osv.server) that serves ../shared/osv-pypa/vulns: the fairest peer run on one machine
with no vulnerability API reachable. Prints medians, ratios and any advisory-id difference.

    .venv/bin/python benchmarks/deps.py [--db ../shared/osv-pypa/vulns] [--packages 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

# Other benchmarks here are named like stdlib modules (email.py shadows `email`, which http.server
# imports): nothing may be imported from this script's directory.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT.parent / "shared" / "osv-pypa" / "vulns"
_MESSAGE = re.compile(r"^(\S+) (\S+): (\S+)(?: \(([^)]*)\))?")


def pick_pins(db: Path, count: int) -> list[tuple[str, str]]:
    """One pin per package: every other one a version its first record lists (vulnerable), the
    rest the highest fixed version any record names (mostly clean)."""
    pins: list[tuple[str, str]] = []
    for index, directory in enumerate(sorted(p for p in db.iterdir() if p.is_dir())):
        if len(pins) >= count:
            break
        listed: list[str] = []
        fixed: list[Version] = []
        name = directory.name
        for file in sorted(directory.glob("*.yaml")):
            record = yaml.load(file.read_text(), Loader=yaml.CBaseLoader)
            for affected in record.get("affected", []):
                name = affected["package"]["name"]
                listed.extend(affected.get("versions", []))
                for rng in affected.get("ranges", []):
                    for event in rng.get("events", []):
                        try:
                            fixed.append(Version(event["fixed"])) if "fixed" in event else None
                        except InvalidVersion:
                            pass
        version = _valid(listed[len(listed) // 2:]) if index % 2 == 0 else (str(max(fixed)) if fixed else None)
        if version:
            pins.append((name, version))
    return pins


def _valid(versions: list[str]) -> str | None:
    for text in versions:
        try:
            Version(text)
            return text
        except InvalidVersion:
            continue
    return None


def data_checks(db: Path) -> str:
    """How our range walk agrees with the records' own `versions` lists, and what walking events in
    written order (not sorted) would miss."""
    sys.path.insert(0, str(ROOT))
    from dataclasses import replace

    from gates.deps.osv.evaluate import Stats, is_affected
    from gates.deps.osv.records import advisory_from_record
    from gates.deps.osv.versions import parse

    agree = disagree = unorderable = naive_misses = out_of_order = 0
    for file in db.rglob("*.yaml"):
        record = yaml.load(file.read_text(), Loader=yaml.CBaseLoader)
        if not isinstance(record, dict) or record.get("withdrawn"):
            continue
        for entry in advisory_from_record(record).affected:
            bare = replace(entry, versions=())
            out_of_order += sum(1 for r in entry.ranges if _unsorted(r, parse))
            for version in entry.versions:
                if is_affected(version, bare, Stats()):
                    agree += 1
                    if not any(_walk_as_written(parse(version, "PyPI"), r, parse) for r in entry.ranges):
                        naive_misses += 1
                elif parse(version, "PyPI") is None:
                    unorderable += 1
                else:
                    disagree += 1
    return (f"data: {out_of_order} ranges list events out of order; listed affected versions the sorted range "
            f"walk also finds: {agree}, not PEP 440 (found through the list only): {unorderable}, listed but "
            f"outside every range (record inconsistency; the list wins): {disagree}; "
            f"walking events in written order would miss {naive_misses}")


def _walk_as_written(version: Any, rng: Any, parse: Any) -> bool:
    """The mistake the issue warns about: the OSV walk without sorting the events first."""
    if version is None or rng.kind != "ECOSYSTEM":
        return False
    affected = False
    for event in rng.events:
        bound = None if event.version == "0" else parse(event.version, "PyPI")
        if event.kind == "introduced" and (bound is None or version >= bound):
            affected = True
        elif event.kind == "fixed" and bound is not None and version >= bound:
            affected = False
        elif event.kind == "last_affected" and bound is not None and version > bound:
            affected = False
    return affected


def _unsorted(rng: Any, parse: Any) -> bool:
    events = [e for e in rng.events if not (e.kind == "introduced" and e.version == "0")]
    versions = [parse(e.version, "PyPI") for e in events]
    versions = [v for v in versions if v is not None]
    return rng.kind == "ECOSYSTEM" and versions != sorted(versions)


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def ours_ids(report: Path) -> dict[str, list[set[str]]]:
    found: dict[str, list[set[str]]] = {}
    for check in json.loads(report.read_text())["gates"][0]["checks"]:
        for finding in check["findings"]:
            match = _MESSAGE.match(finding["message"])
            if finding["rule"] in ("vulnerable-dependency", "vulnerability-below-threshold") and match:
                ids = {match[3], *(a.strip() for a in (match[4] or "").split(",") if a.strip())}
                found.setdefault(match[1].lower(), []).append(ids)
    return found


def peer_ids(report: Path) -> dict[str, list[set[str]]]:
    found: dict[str, list[set[str]]] = {}
    for dependency in json.loads(report.read_text())["dependencies"]:
        for vuln in dependency.get("vulns", []):
            found.setdefault(dependency["name"].lower(), []).append({vuln["id"], *vuln.get("aliases", [])})
    return found


def differences(ours: dict[str, list[set[str]]], theirs: dict[str, list[set[str]]]) -> tuple[list[str], list[str]]:
    only_ours, only_theirs = [], []
    for package in sorted(set(ours) | set(theirs)):
        mine, peer = ours.get(package, []), theirs.get(package, [])
        only_ours += [f"{package}:{sorted(ids)[0]}" for ids in mine if not any(ids & other for other in peer)]
        only_theirs += [f"{package}:{sorted(ids)[0]}" for ids in peer if not any(ids & other for other in mine)]
    return only_ours, only_theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--packages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.db.is_dir():
        print(f"no OSV database at {args.db}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from gates.deps.osv.server import serve

    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="bench-deps-") as temp:
        work = Path(temp)
        pins = pick_pins(args.db, args.packages)
        (work / "requirements.txt").write_text("".join(f"{n}=={v}\n" for n, v in pins))
        ours = [python, "-m", "gates", "deps", "requirements.txt", "--db", str(args.db), "--json", "ours.json",
                "--quiet"]
        cold, warm, peer = [], [], []
        for run in range(args.runs):
            cache = work / f"cache-{run}"
            seconds, done = timed([*ours, "--cache-dir", str(cache)], work)
            cold.append(seconds)
            assert done.returncode in (0, 1), done.stderr[-2000:]
        for _ in range(args.runs + 2):
            seconds, done = timed([*ours, "--cache-dir", str(work / "cache-0")], work)
            warm.append(seconds)
        started = time.perf_counter()
        with serve(args.db) as url:
            serve_s = time.perf_counter() - started
            for run in range(args.runs):
                seconds, done = timed([python, "-m", "pip_audit", "-r", "requirements.txt", "--no-deps",
                                       "--disable-pip", "-s", "osv", "--osv-url", url, "-f", "json", "-o",
                                       "peer.json", "--progress-spinner", "off", "--cache-dir",
                                       str(work / f"peer-cache-{run}")], work)
                peer.append(seconds)
                assert done.returncode in (0, 1) and (work / "peer.json").is_file(), done.stderr[-2000:]
        only_ours, only_theirs = differences(ours_ids(work / "ours.json"), peer_ids(work / "peer.json"))
        ours_count = sum(len(v) for v in ours_ids(work / "ours.json").values())
        peer_count = sum(len(v) for v in peer_ids(work / "peer.json").values())
        shutil.rmtree(work / "cache-0", ignore_errors=True)

    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(f"input: {len(pins)} pinned packages, OSV records from {args.db}")
    print(f"gates deps --db (cold, builds index): median {med(cold):.3f}s  runs={[round(v, 3) for v in cold]}")
    print(f"gates deps --db (warm, cached index): median {med(warm):.3f}s  runs={[round(v, 3) for v in warm]}")
    print(f"pip-audit -s osv --osv-url loopback:  median {med(peer):.3f}s  runs={[round(v, 3) for v in peer]}"
          f"  (endpoint load {serve_s:.2f}s, not counted)")
    print(f"ratio pip-audit / gates warm: {med(peer) / med(warm):.1f}x;  pip-audit / gates cold: "
          f"{med(peer) / med(cold):.1f}x")
    print(data_checks(args.db))
    print(f"advisories found: gates {ours_count}, pip-audit {peer_count}; "
          f"only gates: {len(only_ours)} {only_ours[:8]}; only pip-audit: {len(only_theirs)} {only_theirs[:8]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
