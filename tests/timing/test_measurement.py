"""What counts and how figures are computed, on hand-made samples (no load, no server)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from gates.errors import CannotEvaluate
from gates.timing.engine import RouteSamples, _read
from gates.timing.figures import figures_for, percentile
from gates.timing.recorder import UNANSWERED, Recorder
from tests.timing.conftest import make_options


def test_nearest_rank_boundaries() -> None:
    assert [percentile([7.0], f) for f in (0.5, 0.95, 0.99)] == [7.0, 7.0, 7.0]
    assert [percentile([10.0, 20.0], f) for f in (0.5, 0.95, 0.99)] == [10.0, 20.0, 20.0]
    hundred = [float(v) for v in range(1, 101)]
    assert [percentile(hundred, f) for f in (0.5, 0.95, 0.99, 1.0)] == [50.0, 95.0, 99.0, 100.0]
    # 0.07 * 100 is 7.000000000000001 in floats: a ceiling on it would answer 8.
    assert percentile(hundred, 0.07) == 7.0
    assert percentile([float(v) for v in range(1, 1001)], 0.999) == 999.0
    assert percentile([], 0.95) == 0.0


def test_figures_count_every_answer_errors_included() -> None:
    samples = RouteSamples(offsets=(0.1, 0.2, 0.3, 0.4), latencies_ms=(5.0, 900.0, 6.0, 7.0),
                           ok=(True, False, True, True))
    figures = figures_for(samples, duration_s=2.0)
    assert figures.requests == 4 and figures.errors == 1 and figures.error_rate == 0.25
    assert figures.p50_ms == 6.0 and figures.p95_ms == 900.0 and figures.rps == 2.0


class _Answer:
    def __init__(self, status: int, location: str = "") -> None:
        self.status_code = status
        self.headers = {"location": location} if location else {}


def _recorder(warmup: float = 0.0) -> Recorder:
    return Recorder([{"name": "a"}], warmup)


def test_cold_start_and_warmup_are_not_samples() -> None:
    recorder = _recorder(warmup=5.0)
    t0 = recorder.start
    recorder.record("GET", "a", 900.0, _Answer(200), start_time=t0 + 0.1)  # the first answer: cold start
    recorder.record("GET", "a", 50.0, _Answer(200), start_time=t0 + 4.9)  # sent during the warmup
    recorder.record("GET", "a", 20.0, _Answer(200), start_time=t0 + 5.1)
    recorder.record("GET", "\x00login", 20.0, _Answer(200), start_time=t0 + 5.2)  # a login is no sample
    route = recorder.result()["routes"]["a"]
    assert route["cold_start_ms"] == 900.0
    assert route["ms"] == [20.0] and route["t"] == [pytest.approx(0.1, abs=0.001)]


def test_4xx_5xx_and_connection_errors_count_3xx_is_answered_and_shown() -> None:
    recorder = _recorder()
    recorder.record("GET", "a", 1.0, _Answer(200))  # cold start
    recorder.record("GET", "a", 1.0, _Answer(401), exception=RuntimeError("401 Unauthorized"))
    recorder.record("GET", "a", 1.0, _Answer(404), exception=RuntimeError("404"))
    recorder.record("GET", "a", 1.0, _Answer(503), exception=RuntimeError("503"))
    recorder.record("GET", "a", 1.0, None, exception=ConnectionRefusedError("refused"))
    recorder.record("GET", "a", 1.0, _Answer(302, "/sign-in"))
    route = recorder.result()["routes"]["a"]
    assert route["ok"] == [0, 0, 0, 0, 1]
    assert set(route["errors"]) == {"HTTP 401", "HTTP 404", "HTTP 503", "ConnectionRefusedError: refused"}
    assert route["redirects"] == {"HTTP 302 -> /sign-in": 1}


def test_unanswered_at_the_end_is_an_error_and_late_answers_do_not_count() -> None:
    recorder = _recorder()
    recorder.start -= 10  # the run began 10 s ago
    recorder.start_perf -= 10
    recorder.record("GET", "a", 1.0, _Answer(200))  # cold start
    began = time.time() - 2.0
    recorder.unanswered("a", started_wall=began)
    recorder.record("GET", "a", 2100.0, _Answer(200), start_time=began)  # the same request, answered late
    scheduled = time.perf_counter() - 1.0
    recorder.unanswered("a", scheduled=scheduled)  # open workload: from its scheduled send time
    route = recorder.result()["routes"]["a"]
    assert route["ok"] == [0, 0] and route["errors"] == {UNANSWERED: 2}
    assert route["ms"][0] >= 2000 and route["ms"][1] >= 1000


def _finished_child() -> subprocess.Popen[bytes]:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child


@pytest.mark.parametrize(("content", "message"), [
    ({"routes": {}, "crash": "KeyError: 'dashboard'"}, "load generator crashed: KeyError"),
    ("{\"routes\": {\"a\": ", "unreadable result"),
    ([1, 2], "unreadable result"),
])
def test_a_generator_crash_or_garbage_result_is_exit_3(tmp_path: Path, content: Any, message: str) -> None:
    options = make_options({"base_url": "http://127.0.0.1:9", "routes": [{"name": "a", "path": "/"}]}, tmp_path)
    result = tmp_path / "result.json"
    result.write_text(content if isinstance(content, str) else json.dumps(content))
    with open(tmp_path / "log", "w+b") as log, pytest.raises(CannotEvaluate, match=message):
        _read(options, _finished_child(), log, result)


def test_a_route_without_samples_is_never_a_pass_even_with_min_requests_0(tmp_path: Path) -> None:
    from gates.report import Status
    from gates.timing.engine import LoadResult
    from gates.timing.verdict import route_checks

    options = make_options({"base_url": "http://127.0.0.1:9", "min_requests": 0,
                            "routes": [{"name": "a", "path": "/"}]}, tmp_path)
    result = LoadResult(users=3, routes={"a": RouteSamples((), (), ())}, locust_version="x", cpu_warning=False)
    check = route_checks(options, result)[0]
    assert check.status is Status.ERROR and "only 0 requests" in check.message
