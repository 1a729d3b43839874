"""Baselines: --update-baseline appends good runs; a later run blocks on a regression beyond both tolerances."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from gates.errors import CannotEvaluate
from gates.report import Status
from gates.timing import baseline, run
from gates.timing.figures import Figures
from tests.timing.conftest import make_options


def _figures(p50: float, p95: float) -> Figures:
    return Figures(requests=100, errors=0, p50_ms=p50, p95_ms=p95, p99_ms=p95, max_ms=p95, rps=10,
                   cold_start_ms=None)


def test_regression_needs_both_the_percentage_and_the_floor() -> None:
    base = {"p50_ms": 5.0, "p95_ms": 100.0}
    # 5 -> 9 ms is +80% but only +4 ms: noise on a fast route, not a regression.
    assert baseline.regressions("r", _figures(9, 100), base, 20, 25) == []
    # 100 -> 124 ms is +24 ms: under the floor.
    assert baseline.regressions("r", _figures(5, 124), base, 20, 25) == []
    found = baseline.regressions("r", _figures(5, 160), base, 20, 25)
    assert [f.rule for f in found] == ["p95-regression"] and "+60 ms" in found[0].message


def test_reference_is_the_median_of_like_runs_only() -> None:
    print_ = {"mode": "closed", "users": 3}
    runs = [
        {"fingerprint": print_, "routes": {"a": {"p50_ms": 10, "p95_ms": 100}}},
        {"fingerprint": print_, "routes": {"a": {"p50_ms": 30, "p95_ms": 300}}},
        {"fingerprint": print_, "routes": {"a": {"p50_ms": 20, "p95_ms": 200}}},
        {"fingerprint": {"mode": "closed", "users": 50}, "routes": {"a": {"p50_ms": 900, "p95_ms": 900}}},
    ]
    assert baseline.reference(baseline.like_runs(runs, print_, 5)) == {"a": {"p50_ms": 20, "p95_ms": 200}}
    assert baseline.reference(baseline.like_runs(runs, print_, 2)) == {"a": {"p50_ms": 25, "p95_ms": 250}}
    assert baseline.like_runs(runs, {"mode": "open"}, 5) == []


def test_update_then_block_on_regression(app_url: str, tmp_path: Path) -> None:
    section = {"base_url": app_url, "update_baseline": True, "duration": "1s",
               "routes": [{"name": "sleepy", "path": "/sleep/120", "p95_ms": 2000}]}
    first = run(make_options(section, tmp_path))
    assert first.checks[0].status is Status.PASSED and first.metrics["baseline_updated"] is True
    path = tmp_path / ".gates/timing-baseline.json"
    stored = json.loads(path.read_text())
    assert len(stored["runs"]) == 1 and stored["runs"][0]["fingerprint"]["users"] == 3
    assert stored["runs"][0]["routes"]["sleepy"]["p95_ms"] >= 120
    # Pretend the last good run was much faster: the same load now is a regression.
    stored["runs"][0]["routes"]["sleepy"].update(p50_ms=20, p95_ms=20)
    path.write_text(json.dumps(stored))
    second = run(make_options({**section, "update_baseline": False}, tmp_path))
    check = second.checks[0]
    assert check.status is Status.FAILED
    assert {f.rule for f in check.findings} == {"p50-regression", "p95-regression"}
    assert second.metrics["baseline_runs_compared"] == 1 and len(json.loads(path.read_text())["runs"]) == 1


@pytest.mark.parametrize(("text", "message"), [
    ('{"version": 1, "runs": [{"fingerp', "cannot read the timing baseline"),  # cut off mid-write
    ("\x00\x00garbage", "cannot read the timing baseline"),
    ('{"runs": {}}', "expected"),
    ('{"version": 2, "runs": []}', "format version 2"),  # written by a later release
    ('{"runs": []}', "format version None"),
])
def test_unreadable_or_foreign_baseline_is_exit_3_before_any_load(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "base.json"
    path.write_text(text)
    with pytest.raises(CannotEvaluate, match=message):
        baseline.load(path)
    # Stops before the load: the target does not even exist (port 9), yet the error is the baseline's.
    options = make_options({"base_url": "http://127.0.0.1:9", "baseline": str(path),
                            "routes": [{"name": "a", "path": "/"}]}, tmp_path)
    with pytest.raises(CannotEvaluate, match=message):
        run(options)
    assert path.read_text() == text  # never overwritten


def test_malformed_runs_are_skipped_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    good = {"fingerprint": {"users": 3}, "routes": {"a": {"p50_ms": 10, "p95_ms": 20}}}
    path.write_text(json.dumps({"version": 1, "runs": [
        "text", {"fingerprint": {"users": 3}, "routes": ["a"]}, {"fingerprint": {"users": 3}, "routes": {"a": "x"}},
        {"fingerprint": {"users": 3}, "routes": {"a": {"p50_ms": "slow", "p95_ms": True}}}, good,
    ]}))
    like = baseline.like_runs(baseline.load(path), {"users": 3}, 5)
    assert baseline.reference(like) == {"a": {"p50_ms": 10, "p95_ms": 20}}


def _append_one(path: str, index: int) -> None:
    baseline.append(Path(path), {"writer": index}, {"a": _figures(index, index)})


def test_concurrent_writers_keep_every_run_and_leave_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "base.json"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.starmap(_append_one, [(str(path), index) for index in range(12)])
    runs = baseline.load(path)
    assert sorted(run["fingerprint"]["writer"] for run in runs) == list(range(12))
    assert sorted(p.name for p in path.parent.iterdir()) == ["base.json", "base.json.lock"]
