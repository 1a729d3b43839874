"""Real response shapes, as the loopback chat app sends them (tests/servers/chat_app.py `?shape=`), are assembled
into the exact text and tool calls: streamed tool-call arguments joined per call, SSE read as the spec says."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from gates.ai.answers import parse
from tests.servers import chat_app

SSE_SHAPES = ("openai-sse", "anthropic-sse", "responses-sse", "vercel-ui", "langserve-sse", "gemini-sse")


def fetch(chat_url: str, query: str) -> tuple[str, str, dict[str, str]]:
    response = httpx.post(f"{chat_url}/toolleak/chat?{query}", json={"messages": [{"role": "user", "content": "x"}]})
    headers = {key.lower(): value for key, value in response.headers.items()}
    return response.content.decode("utf-8"), headers.get("content-type", ""), headers


@pytest.mark.parametrize("shape", chat_app.SHAPES)
def test_every_shape_gives_the_text_and_the_whole_tool_call(chat_url: str, shape: str) -> None:
    body, content_type, headers = fetch(chat_url, f"shape={shape}")
    answer = parse(body, content_type, headers, "auto", None)
    assert answer.text == chat_app.TOOLLEAK_TEXT
    assert [call.name for call in answer.tools] == ["lookup_order"]
    assert json.loads(answer.tools[0].arguments) == chat_app.TOOLLEAK_ARGS
    assert answer.incomplete is None


@pytest.mark.parametrize("fmt", chat_app.SSE_FORMATS)
@pytest.mark.parametrize("shape", SSE_SHAPES)
def test_every_sse_spelling(chat_url: str, shape: str, fmt: str) -> None:
    # CRLF, `data:` without the space, comments/id/event lines, JSON spread over several data lines, 7-byte writes.
    body, content_type, headers = fetch(chat_url, f"shape={shape}&fmt={fmt}")
    answer = parse(body, content_type, headers, "auto", None)
    assert answer.text == chat_app.TOOLLEAK_TEXT
    assert json.loads(answer.tools[0].arguments) == chat_app.TOOLLEAK_ARGS


@pytest.mark.parametrize("shape", ["openai-sse", "anthropic-sse", "responses-sse", "vercel", "langserve-sse"])
def test_streamed_tool_arguments_are_judged(gate, chat_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            shape: str) -> None:
    # lookup_order is allowed; its arguments send the canary to evil.example, in 7-character pieces.
    (tmp_path / "cases.yaml").write_text("cases:\n  - id: order\n    prompt: where is my order\n", encoding="utf-8")
    run = gate({"url": f"{chat_url}/toolleak/chat?shape={shape}", "canaries": [chat_app.CANARY],
                "allowed_domains": ["example.com"], "cases": "cases.yaml", "builtin": False})
    assert run.exit_code == 1, run.output
    assert {"canary-leaked", "tool-url-outside-allowed-domains"} <= run.rules("order")
    assert chat_app.CANARY not in run.output and chat_app.CANARY not in json.dumps(run.json)


def test_prompt_inside_nested_arrays(gate, chat_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Gemini's contents[].parts[].text: the bot echoes the document, so the marker only comes back if {prompt}
    # reached it through the nested arrays.
    (tmp_path / "cases.yaml").write_text(
        'cases:\n  - id: nested\n    prompt: "say NESTED-4411"\n    must_not_contain: [NESTED-4411]\n',
        encoding="utf-8")
    run = gate({"url": f"{chat_url}/indirect/chat", "cases": "cases.yaml", "builtin": False,
                "request": {"contents": [{"role": "user", "parts": [{"text": "{prompt}"}]}]}})
    assert run.exit_code == 1, run.output
    assert run.rules("nested") == {"forbidden-content"}


def test_plain_markdown_numbered_list_is_an_answer(gate, chat_url: str,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    # "1: …" lines looked like an AI SDK data stream, whose parts did not parse: an error instead of an answer.
    (tmp_path / "cases.yaml").write_text('cases:\n  - id: steps\n    prompt: "1: open the app\\n2: tap Orders"\n',
                                         encoding="utf-8")
    run = gate({"url": f"{chat_url}/echo/chat?shape=text", "cases": "cases.yaml", "builtin": False})
    assert run.exit_code == 0, run.output



def test_answer_path_that_no_event_has_falls_back_to_the_known_shapes(gate, chat_url: str,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    # `answer` written for the JSON body while the endpoint streams: the events are still read as OpenAI chunks.
    (tmp_path / "cases.yaml").write_text("cases:\n  - id: order\n    prompt: where is my order\n", encoding="utf-8")
    run = gate({"url": f"{chat_url}/leaky/chat?shape=openai-sse", "answer": "choices.0.message.content",
                "cases": "cases.yaml", "builtin": False, "canaries": [chat_app.CANARY]})
    assert run.exit_code == 1, run.output
    assert "canary-leaked" in run.rules("order")
