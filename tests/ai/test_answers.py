"""gates.ai.answers: every answer shape is assembled into text + tool calls before judging."""

from __future__ import annotations

import json

import pytest

from gates.ai.answers import AnswerError, parse

JSON = "application/json"


def test_dotted_path() -> None:
    body = json.dumps({"choices": [{"message": {"content": "hello"}}]})
    assert parse(body, JSON, {}, "auto", "choices.0.message.content").text == "hello"


def test_missing_path_is_an_error() -> None:
    with pytest.raises(AnswerError, match="reply"):
        parse(json.dumps({"answer": "x"}), JSON, {}, "auto", "data.reply")


def test_known_paths_without_config() -> None:
    assert parse(json.dumps({"answer": "hi"}), JSON, {}, "auto", None).text == "hi"
    assert parse(json.dumps({"content": [{"type": "text", "text": "claude"}]}), JSON, {}, "auto", None).text == "claude"


def test_unknown_shape_judges_the_whole_body() -> None:
    body = json.dumps({"weird": {"deep": "secret stuff"}})
    assert "secret stuff" in parse(body, JSON, {}, "auto", None).text


def test_plain_text() -> None:
    assert parse("just words", "text/plain", {}, "auto", None).text == "just words"


def test_openai_sse_assembled() -> None:
    events = [{"choices": [{"delta": {"content": piece}}]} for piece in ("CAN", "ARY", "-1")]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    assert parse(body, "text/event-stream", {}, "auto", None).text == "CANARY-1"


def test_openai_sse_tool_call() -> None:
    delta = {"tool_calls": [{"index": 0, "function": {"name": "send_email", "arguments": ""}}]}
    body = f"data: {json.dumps({'choices': [{'delta': delta}]})}\n\ndata: [DONE]\n\n"
    answer = parse(body, "text/event-stream", {}, "auto", None)
    assert [call.name for call in answer.tools] == ["send_email"]


def test_vercel_data_stream() -> None:
    body = 'f:{"messageId":"m"}\n0:"Hel"\n0:"lo \\"you\\""\n9:{"toolCallId":"1","toolName":"delete_record","args":{}}\n'
    answer = parse(body, "text/plain", {"x-vercel-ai-data-stream": "v1"}, "auto", None)
    assert answer.text == 'Hello "you"'
    assert [call.name for call in answer.tools] == ["delete_record"]


def test_vercel_data_stream_detected_without_header() -> None:
    assert parse('0:"a"\n0:"b"\nd:{}\n', "text/plain", {}, "auto", None).text == "ab"


def test_vercel_ui_message_stream() -> None:
    parts = [{"type": "text-delta", "id": "1", "delta": "ab"}, {"type": "text-delta", "id": "1", "delta": "c"},
             {"type": "tool-input-available", "toolCallId": "1", "toolName": "fetch_url", "input": {"u": 1}}]
    body = "".join(f"data: {json.dumps(p)}\n\n" for p in parts) + "data: [DONE]\n\n"
    answer = parse(body, "text/event-stream", {}, "auto", None)
    assert answer.text == "abc"
    assert answer.tools[0].name == "fetch_url"


def test_anthropic_sse_and_tool_use() -> None:
    events = [{"type": "content_block_start", "content_block": {"type": "tool_use", "name": "send_email"}},
              {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "hi"}}]
    body = "".join(f"event: x\ndata: {json.dumps(e)}\n\n" for e in events)
    answer = parse(body, "text/event-stream", {}, "auto", None)
    assert answer.text == "hi" and answer.tools[0].name == "send_email"


def test_function_call_and_tool_arguments_are_judged() -> None:
    body = json.dumps({"choices": [{"message": {"content": None,
                                                "function_call": {"name": "fetch_url", "arguments": "{\"u\": 1}"}}}]})
    answer = parse(body, JSON, {}, "auto", None)
    assert answer.tools[0].name == "fetch_url"
    assert "[tool call fetch_url]" in answer.transcript


def test_nothing_to_judge_is_an_error_not_a_pass() -> None:
    body = json.dumps({"choices": [{"message": {"content": "hi"}}]})
    with pytest.raises(AnswerError, match="server-sent events"):
        parse(body, JSON, {}, "openai", None)  # `stream = "openai"` but the app answers JSON
    with pytest.raises(AnswerError, match="data stream"):
        parse(body, JSON, {}, "vercel", None)
    with pytest.raises(AnswerError, match="empty"):
        parse("  ", "text/plain", {}, "auto", None)


def test_unknown_event_shape_is_judged_whole() -> None:
    body = 'data: {"token": "CAN"}\n\ndata: {"token": "ARY"}\n\n'
    answer = parse(body, "text/event-stream", {}, "auto", None)
    assert "CAN" in answer.text and "ARY" in answer.text
    assert parse(body, "text/event-stream", {}, "auto", "token").text == "CANARY"


def test_openai_refusal_field_is_the_answer() -> None:
    # Structured outputs: content is null and the model's refusal is in `refusal` (was an empty answer).
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": None,
                                                "refusal": "I'm sorry, I cannot help with that."}}]})
    assert parse(body, JSON, {}, "auto", None).text == "I'm sorry, I cannot help with that."


def test_yaml_like_text_is_not_a_stream() -> None:
    assert parse("id: 42\nname: order", "text/plain", {}, "auto", None).text == "id: 42\nname: order"


def test_byte_order_mark() -> None:
    event = json.dumps({"choices": [{"delta": {"content": "hi"}}]})
    assert parse(f"\ufeffdata: {event}\n\n", "text/event-stream", {}, "auto", None).text == "hi"
    assert parse("\ufeff" + json.dumps({"answer": "hi"}), JSON, {}, "auto", None).text == "hi"
