"""What real answers do to the judging: huge bodies, undeclared charsets, JSON types, and which requests
may be sent twice. Each test failed before the fix it names."""

from __future__ import annotations

from pathlib import Path

from gates.report import Status
from gates.smoke.probe import MAX_BODY
from tests.servers.http_app import Server, refused_port
from tests.smoke.helpers import key, run_gate


def by_name(report):  # type: ignore[no-untyped-def]
    return {check.name: check for check in report.checks}


def test_a_huge_answer_is_read_only_up_to_the_cap(app: Server, tmp_path: Path) -> None:
    # 64 MB streamed: the whole body used to be downloaded into memory before judging it.
    section = {"base_url": app.url, "retries": 0, "checks": [
        {"name": "big", "path": "/big?mb=64", "contains": "needle"},
        {"name": "big missing", "path": "/big?mb=64", "contains": "haystack"},
        {"name": "big json", "path": "/big?mb=64", "json_equals": {"a": 1}},
    ]}
    checks = by_name(run_gate(section, tmp_path))
    assert checks["big"].status is Status.PASSED
    assert checks["big"].properties["body_truncated_at"] == MAX_BODY
    assert checks["big missing"].status is Status.FAILED
    assert f"in the first {MAX_BODY} bytes" in checks["big missing"].summary
    assert checks["big json"].summary == f"json: the answer is over {MAX_BODY} bytes: not read whole, not parsed"


def test_contains_matches_a_page_in_an_undeclared_latin1_charset(app: Server, tmp_path: Path) -> None:
    # Decoded as UTF-8 the page reads "Caf\ufffd": the text was there and the check failed.
    section = {"base_url": app.url, "checks": [
        {"name": "latin1", "path": "/latin1", "contains": "Café crème"},
        {"name": "absent", "path": "/latin1", "not_contains": "crème brûlée"},
    ]}
    report = run_gate(section, tmp_path)
    assert [c.status for c in report.checks] == [Status.PASSED, Status.PASSED]


def test_json_equals_keeps_booleans_and_numbers_apart_and_null_is_a_value(app: Server, tmp_path: Path) -> None:
    section = {"base_url": app.url, "checks": [
        {"name": "count is not true", "path": "/typed", "json_equals": {"count": True}},  # passed: 1 == True
        {"name": "enabled is not 1", "path": "/typed", "json_equals": {"enabled": 1}},
        {"name": "types", "path": "/typed", "json_equals": {"count": 1, "enabled": True}},
        {"name": "not json", "path": "/", "json_equals": {"status": "ok"}},
    ]}
    checks = by_name(run_gate(section, tmp_path))
    assert checks["count is not true"].status is Status.FAILED
    assert checks["count is not true"].summary == "json: count is 1, expected true"
    assert checks["enabled is not 1"].status is Status.FAILED
    assert checks["types"].status is Status.PASSED
    assert checks["not json"].summary == "json: the answer is not JSON"


def test_a_post_answered_503_is_not_sent_again(app: Server, tmp_path: Path) -> None:
    # A 502/503/504 may come from a proxy after the app applied the POST: it used to be resent twice.
    name = key()
    section = {"base_url": app.url, "retries": 2, "backoff": "10ms", "checks": [
        {"name": "post", "method": "POST", "path": f"/flaky/{name}?fails=1&status=503", "json": {"n": 1}},
        {"name": "get", "path": f"/flaky/{name}-get?fails=1&status=503"},
    ]}
    checks = by_name(run_gate(section, tmp_path))
    assert checks["post"].status is Status.FAILED and checks["post"].properties["attempts"] == 1
    assert app.state.flaky[name] == 1
    assert checks["get"].status is Status.PASSED and checks["get"].properties["attempts"] == 2


def test_a_post_to_a_refused_port_is_retried(tmp_path: Path) -> None:
    # Refused: the request never reached a server, so resending it cannot apply it twice.
    with refused_port() as port:
        section = {"base_url": f"http://127.0.0.1:{port}", "retries": 2, "backoff": "10ms",
                   "checks": [{"name": "post", "method": "POST", "path": "/api/items", "json": {"n": 1}}],
                   "write": {"name": "write", "path": "/api/items", "json": {"n": 1}, "auth": False}}
        checks = by_name(run_gate(section, tmp_path))
    assert checks["post"].properties["attempts"] == 3
    assert checks["write"].properties["attempts"] == 3


def test_an_answer_that_trickles_in_times_out_as_a_whole(app: Server, tmp_path: Path) -> None:
    # Each chunk came within the read timeout, so a 5 s event stream held the check for 5 s and passed.
    section = {"base_url": app.url, "retries": 0, "checks": [
        {"name": "stream", "path": "/drip?n=50&every=0.1", "timeout": "500ms"},
    ]}
    check = run_gate(section, tmp_path).checks[0]
    assert check.status is Status.FAILED
    assert check.summary == "timeout: no complete answer within 0.5 s"


def test_cleanup_placeholders_stay_one_path_segment() -> None:
    # An id like "7/../../admin" used to be pasted into the cleanup path as it was.
    from gates.smoke.suite import _fill

    assert _fill("/api/items/{id}", {"id": "7/../../admin"}) == "/api/items/7%2F..%2F..%2Fadmin"
    assert _fill("/api/items/{data.id}", {"data": {"id": 42}}) == "/api/items/42"
