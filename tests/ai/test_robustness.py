"""What real chat endpoints do besides answering: rate limits with Retry-After, 200 with an error body, HTML pages,
streams that never end, huge answers, unknown charsets; and max_requests is never exceeded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from gates.ai.answers import parse
from gates.ai.client import retry_after
from tests.servers import chat_app

ONE_CASE = "cases:\n  - id: one\n    prompt: where is my order\n"


@pytest.fixture
def one_case(tmp_path: Path) -> dict[str, object]:
    (tmp_path / "cases.yaml").write_text(ONE_CASE, encoding="utf-8")
    return {"cases": "cases.yaml", "builtin": False, "canaries": [chat_app.CANARY]}


def test_429_is_retried_after_retry_after(gate, chat_url: str, one_case) -> None:  # type: ignore[no-untyped-def]
    run = gate({"url": f"{chat_url}/ratelimit/chat?tag=rl-ok&limit=1&retry=0", "max_requests": 3, **one_case})
    assert run.exit_code == 0, run.output
    assert run.json["gates"][0]["metrics"]["retries"] == 1
    assert chat_app.IN_FLIGHT.total["rl-ok"] == 2


def test_429_retries_stop_at_max_requests(gate, chat_url: str, one_case) -> None:  # type: ignore[no-untyped-def]
    run = gate({"url": f"{chat_url}/ratelimit/chat?tag=rl-budget&limit=10&retry=0", "max_requests": 2, **one_case})
    assert run.exit_code == 3, run.output
    assert "no request left in max_requests (2)" in run.checks["one"]["message"]
    assert chat_app.IN_FLIGHT.total["rl-budget"] == 2  # the budget is never exceeded, retries included


def test_429_retry_after_past_the_timeout_is_not_waited(gate, chat_url: str,  # type: ignore[no-untyped-def]
                                                       one_case) -> None:
    run = gate({"url": f"{chat_url}/ratelimit/chat?tag=rl-long&limit=10&retry=600", "timeout": "2s", **one_case})
    assert run.exit_code == 3
    assert "Retry-After 600s is past the 2s timeout" in run.checks["one"]["message"]
    assert chat_app.IN_FLIGHT.total["rl-long"] == 1


def test_retry_after_as_a_date() -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(later) <= 30
    assert retry_after("soon") == 1.0 and retry_after(None) == 1.0 and retry_after("2") == 2.0


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error200", "answered with an error: You exceeded your current quota"),  # was judged as an answer: pass
        ("html", "HTML page ('Sign in - Example Shop')"),  # was judged: its Google link failed the check
        ("trickle?seconds=3", "the answer was still streaming"),  # keep-alives every 0.1 s defeated the read timeout
        ("stall?seconds=3", "timed out after 1s"),  # a stream that stops mid-answer
        ("huge", "over 2 MB"),
    ],
)
def test_no_answer_is_an_error(gate, chat_url: str, one_case, mode: str,  # type: ignore[no-untyped-def]
                               message: str) -> None:
    path, _, query = mode.partition("?")
    run = gate({"url": f"{chat_url}/{path}/chat?{query}", "timeout": "1s", **one_case})
    assert run.exit_code == 3, run.output
    assert run.checks["one"]["status"] == "error"
    assert message in run.checks["one"]["message"]


def test_unknown_charset_and_bytes_that_are_no_utf8(gate, chat_url: str, one_case) -> None:  # type: ignore[no-untyped-def]
    # charset=x-mac-unknown raised LookupError (a traceback) before the body was read as UTF-8 with replacements.
    run = gate({"url": f"{chat_url}/charset/chat", **one_case})
    assert run.exit_code == 1, run.output
    assert run.rules("one") == {"canary-leaked"}
    assert "Traceback" not in run.output


def test_built_in_set_never_exceeds_max_requests(gate, chat_url: str) -> None:  # type: ignore[no-untyped-def]
    run = gate({"url": f"{chat_url}/safe/chat?tag=budget-5", "max_requests": 5})
    assert run.exit_code == 0, run.output
    assert chat_app.IN_FLIGHT.total["budget-5"] == 5
    assert sum(1 for check in run.checks.values() if check["status"] == "skipped") >= 30


def test_stream_that_errors_after_some_text_is_no_pass() -> None:
    body = ('data: {"type":"text-delta","id":"t","delta":"Sure, "}\n\n'
            'data: {"type":"error","errorText":"model overloaded"}\n\n')
    answer = parse(body, "text/event-stream", {}, "auto", None)
    assert answer.text == "Sure, " and answer.incomplete == "model overloaded"
    data_stream = '0:"Sure"\n3:"An error occurred."\n'
    assert parse(data_stream, "text/plain", {"x-vercel-ai-data-stream": "v1"}, "auto", None).incomplete


def test_error_body_echoing_a_key_is_masked(gate, chat_url: str, one_case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = gate({"url": f"{chat_url}/error200/chat?key=1", **one_case}, "--junit-xml", "out.xml")
    assert run.exit_code == 3
    assert "Incorrect API key provided" in run.checks["one"]["message"]
    written = run.output + json.dumps(run.json) + (tmp_path / "out.xml").read_text(encoding="utf-8")
    assert chat_app.PLANTED_KEY not in written


def test_sse_labelled_as_json_is_read_as_a_stream() -> None:
    body = "".join(f"data: {json.dumps({'choices': [{'delta': {'content': p}}]})}\n\n" for p in ("CANA", "RY-1x"))
    assert parse(body, "application/json", {}, "auto", None).text == "CANARY-1x"
