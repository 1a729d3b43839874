"""Turn a chat endpoint's response into the text the user would see and the tools it asks to call.

Shapes understood: a JSON body with the answer at a dotted path (`choices.0.message.content`);
server-sent events in the OpenAI style (`data: {"choices":[{"delta":{"content":…}}]}` … `data: [DONE]`),
the Anthropic style (`content_block_delta`) and the Vercel AI SDK UI message stream (`text-delta`);
the Vercel AI SDK data stream (`0:"text"` lines, `9:{toolName…}` tool calls); plain text.
Streams are assembled completely before anything is judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

# Where popular APIs put the answer, tried in order when no `answer` path is configured.
KNOWN_PATHS = ("choices.0.message.content", "message.content", "content.0.text", "output_text", "answer",
               "response", "reply", "text", "output", "content", "message")
_DATA_STREAM_LINE = re.compile(r"^[0-9a-z]:")


class AnswerError(Exception):
    """The response does not hold an answer where the config says it is."""


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str = ""


@dataclass(frozen=True)
class Answer:
    text: str
    tools: tuple[ToolCall, ...] = ()
    raw: str = ""  # the whole response body: fields beside the answer reach the client too

    @property
    def transcript(self) -> str:
        """Everything judged: the text, then each tool call with its arguments (they can leak too)."""
        calls = "".join(f"\n[tool call {call.name}] {call.arguments}" for call in self.tools)
        return self.text + calls


def parse(body: str, content_type: str, headers: dict[str, str], stream: str, path: str | None) -> Answer:
    kind = _kind(body, content_type, headers, stream)
    if kind == "sse":
        answer = _sse(body, path)
    elif kind == "vercel":
        answer = _data_stream(body)
    else:
        answer = _plain(body, path)
    return replace(answer, raw=body)


def _kind(body: str, content_type: str, headers: dict[str, str], stream: str) -> str:
    if "text/event-stream" in content_type or stream == "openai":
        return "sse"
    if stream == "vercel" or "x-vercel-ai-data-stream" in headers:
        return "vercel"
    if stream == "auto" and "json" not in content_type:
        lines = [line for line in body.splitlines() if line.strip()]
        if lines and all(_DATA_STREAM_LINE.match(line) for line in lines):
            return "vercel"
        if lines and lines[0].startswith(("data:", "event:")):
            return "sse"
    return "plain"


def lookup(document: Any, path: str) -> Any:
    """`choices.0.message.content` in a JSON document; KeyError when a step is missing."""
    node = document
    for step in path.split("."):
        if isinstance(node, list) and step.lstrip("-").isdigit() and -len(node) <= int(step) < len(node):
            node = node[int(step)]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            raise KeyError(step)
    return node


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _plain(body: str, path: str | None) -> Answer:
    if not body.strip():
        raise AnswerError("the response is empty")
    try:
        document = json.loads(body)
    except ValueError:
        if path:
            raise AnswerError(f"the response is not JSON, so the answer path {path!r} cannot be read") from None
        return Answer(body)
    tools = tuple(_tool_calls(document))
    if path:
        try:
            return Answer(_as_text(lookup(document, path)), tools)
        except KeyError as exc:
            raise AnswerError(f"the answer path {path!r} is not in the response (no {exc.args[0]!r})") from None
    for known in KNOWN_PATHS:
        try:
            value = lookup(document, known)
        except KeyError:
            continue
        if isinstance(value, str) or (value is None and tools):
            return Answer(_as_text(value), tools)
    # Unknown shape: judge everything the client receives.
    return Answer(body, tools)


def _events(body: str) -> Iterator[str]:
    """The data of each server-sent event (multi-line data joined by newlines, as the spec says)."""
    data: list[str] = []
    for line in body.splitlines():
        if not line:
            if data:
                yield "\n".join(data)
            data = []
        elif line.startswith("data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


def _sse(body: str, path: str | None) -> Answer:
    text: list[str] = []
    tools: list[ToolCall] = []
    events = [data for data in _events(body) if data.strip() != "[DONE]"]
    if not events:
        raise AnswerError("no server-sent events with data in the response (check `stream`)")
    for data in events:
        try:
            event = json.loads(data)
        except ValueError:
            text.append(data)  # plain-text tokens
            continue
        text.append(_event_text(event, path))
        tools.extend(_tool_calls(event))
    if not any(text) and not tools:
        # An event shape we do not know: judge all of it rather than an empty answer that passes everything.
        return Answer("\n".join(events))
    return Answer("".join(text), _dedupe(tools))


def _event_text(event: Any, path: str | None) -> str:
    if not isinstance(event, dict):
        return _as_text(event) if isinstance(event, str) else ""
    if path:
        try:
            return _as_text(lookup(event, path))
        except KeyError:
            pass
    pieces: list[str] = []
    for choice in event.get("choices") or []:
        if isinstance(choice, dict):
            for key in ("delta", "message"):
                part = choice.get(key)
                if isinstance(part, dict) and isinstance(part.get("content"), str):
                    pieces.append(part["content"])
            if isinstance(choice.get("text"), str):
                pieces.append(choice["text"])
    kind = event.get("type")
    if kind in ("text-delta", "reasoning-delta") or kind == "response.output_text.delta":
        pieces.append(_as_text(event.get("delta") or event.get("textDelta")))
    if kind == "content_block_delta" and isinstance(event.get("delta"), dict):
        pieces.append(_as_text(event["delta"].get("text")))
    return "".join(pieces)


def _data_stream(body: str) -> Answer:
    text: list[str] = []
    tools: list[ToolCall] = []
    parts = 0
    for line in body.splitlines():
        prefix, sep, payload = line.partition(":")
        if not sep or not _DATA_STREAM_LINE.match(line):
            continue
        try:
            value = json.loads(payload)
        except ValueError:
            continue
        parts += 1
        if prefix == "0" and isinstance(value, str):
            text.append(value)
        elif prefix in ("9", "b") and isinstance(value, dict) and isinstance(value.get("toolName"), str):
            tools.append(ToolCall(value["toolName"], _as_text(value.get("args"))))
    if not parts:
        raise AnswerError("no AI SDK data stream parts (`0:\"text\"` lines) in the response (check `stream`)")
    return Answer("".join(text), _dedupe(tools))


def _dedupe(tools: list[ToolCall]) -> tuple[ToolCall, ...]:
    # A streamed call is announced more than once (name first, arguments later): keep one per name,
    # the one with the most arguments.
    seen: dict[str, ToolCall] = {}
    for call in tools:
        if call.name not in seen or len(call.arguments) > len(seen[call.name].arguments):
            seen[call.name] = call
    return tuple(seen.values())


def _tool_calls(node: Any) -> Iterator[ToolCall]:
    """Tool calls anywhere in a JSON document: OpenAI tool_calls/function_call, Anthropic tool_use,
    Gemini functionCall, AI SDK tool parts."""
    if isinstance(node, list):
        for item in node:
            yield from _tool_calls(item)
        return
    if not isinstance(node, dict):
        return
    for item in node.get("tool_calls") or []:
        if isinstance(item, dict):
            inner = item.get("function")
            function: dict[str, Any] = inner if isinstance(inner, dict) else item
            if isinstance(function.get("name"), str):
                yield ToolCall(function["name"], _as_text(function.get("arguments")))
    for key in ("function_call", "functionCall"):
        call = node.get(key)
        if isinstance(call, dict) and isinstance(call.get("name"), str):
            yield ToolCall(call["name"], _as_text(call.get("arguments", call.get("args"))))
    if node.get("type") in ("tool_use", "tool-call", "function_call") and isinstance(node.get("name"), str):
        yield ToolCall(node["name"], _as_text(node.get("input", node.get("arguments"))))
    if str(node.get("type", "")).startswith("tool-") and isinstance(node.get("toolName"), str):
        yield ToolCall(node["toolName"], _as_text(node.get("input", node.get("args"))))
    for key, value in node.items():
        if key not in ("tool_calls", "function_call", "functionCall") and isinstance(value, (dict, list)):
            yield from _tool_calls(value)
