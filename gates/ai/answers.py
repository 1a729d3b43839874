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

from gates.ai.streams import Assembler, data_stream, lines, sse_events

# Where popular APIs put the answer, tried in order when no `answer` path is configured.
KNOWN_PATHS = ("output_text", "answer", "response", "reply", "text", "output", "content", "message", "result",
               "completion", "generated_text", "data")

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
    incomplete: str | None = None  # the stream ended with an error part after some of the answer

    @property
    def transcript(self) -> str:
        """Everything judged: the text, then each tool call with its arguments (they can leak too)."""
        calls = "".join(f"\n[tool call {call.name}] {call.arguments}" for call in self.tools)
        return self.text + calls


def parse(raw: str, content_type: str, headers: dict[str, str], stream: str, path: str | None) -> Answer:
    body = raw[1:] if raw.startswith("\ufeff") else raw  # a byte order mark is no part of JSON or of an SSE field
    kind = _kind(body, content_type, headers, stream)
    if kind == "html":
        raise AnswerError(f"the endpoint answered with an HTML page{_title(body)}, not a chat answer (check url/path)")
    if kind in ("sse", "ndjson", "vercel"):
        answer = _stream(body, kind, path)
    else:
        answer = _plain(body, path)
    return replace(answer, raw=raw)


def _kind(body: str, content_type: str, headers: dict[str, str], stream: str) -> str:
    if "text/event-stream" in content_type or stream == "openai":
        return "sse"
    if stream == "vercel" or "x-vercel-ai-data-stream" in headers:
        return "vercel"
    head = body.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")) or ("text/html" in content_type and "<body" in body[:5000]):
        return "html"
    if stream != "auto":
        return "plain"
    if "ndjson" in content_type or "jsonl" in content_type or "json-seq" in content_type:
        return "ndjson"
    rows = [line for line in lines(body) if line.strip()]
    if rows and all(_DATA_STREAM_LINE.match(line) for line in rows) and _all_json(
            [line.partition(":")[2] for line in rows]):  # "1: first step" lists are plain text
        return "vercel"
    if rows and rows[0].startswith(("data:", "event:", ":", "id:", "retry:")) and any(
            row.startswith("data:") for row in rows):  # also when labelled JSON; "id: 42" alone is text
        return "sse"
    if len(rows) > 1 and all(row.lstrip().startswith("{") for row in rows) and _all_json(rows):
        return "ndjson"
    return "plain"


def _all_json(rows: list[str]) -> bool:
    try:
        for row in rows:
            json.loads(row)
    except ValueError:
        return False
    return True


def _title(body: str) -> str:
    match = re.search(r"<title[^>]*>([^<]{1,80})", body, re.I)
    return f" ({' '.join(match.group(1).split())!r})" if match else ""


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
    tools = _dedupe(list(tool_calls(document)))
    if path:
        try:
            return Answer(_as_text(lookup(document, path)), tools)
        except KeyError as exc:
            problem = error_of(document)
            if problem:
                raise AnswerError(f"the endpoint answered with an error: {problem}") from None
            raise AnswerError(f"the answer path {path!r} is not in the response (no {exc.args[0]!r})") from None
    text = known_text(document)
    if text is not None or tools:
        return Answer(text or "", tools)
    problem = error_of(document)
    if problem:
        raise AnswerError(f"the endpoint answered with an error: {problem}")
    # Unknown shape: judge everything the client receives.
    return Answer(body, tools)


def error_of(document: Any) -> str | None:
    """The message of an error body (`{"error": {...}}`, `{"type": "error", ...}`, `{"detail": ...}`)."""
    if not isinstance(document, dict):
        return None
    error = document.get("error") or document.get("errors") or (document.get("detail") if len(document) == 1 else None)
    if document.get("type") == "error" and not error:
        error = document.get("message") or "error"
    if not error:
        return None
    if isinstance(error, dict):
        error = error.get("message") or error.get("error") or error
    return " ".join(_as_text(error).split())[:200]


def known_text(document: Any) -> str | None:
    """The answer in the shapes popular APIs return, or None: OpenAI chat (text or content parts) and Responses
    (`output[].content[].text`), Anthropic content blocks, Gemini parts, LangServe `output`, Ollama, others."""
    if isinstance(document, str):
        return document
    if not isinstance(document, dict):
        return None
    choices = document.get("choices")
    if isinstance(choices, list) and choices:
        texts = [_parts_text(c["message"].get("content")) + _parts_text(c["message"].get("refusal"))
                 if isinstance(c.get("message"), dict) else _parts_text(c.get("text"))
                 for c in choices if isinstance(c, dict)]
        return "".join(t for t in texts if t)
    if isinstance(document.get("output"), list):  # OpenAI Responses API
        pieces = [_parts_text(item.get("content")) for item in document["output"]
                  if isinstance(item, dict) and item.get("type", "message") == "message"]
        return "".join(p for p in pieces if p)
    if isinstance(document.get("content"), list):  # Anthropic messages
        return _parts_text(document["content"])
    candidates = document.get("candidates")
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):  # Gemini
        content = candidates[0].get("content")
        return _parts_text(content.get("parts") if isinstance(content, dict) else None)
    for key in KNOWN_PATHS:
        value = document.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):  # LangServe {"output": {"content": …}}, Ollama {"message": {"content": …}}
            inner = known_text(value)
            if inner is not None:
                return inner
    return None


def _parts_text(content: Any) -> str:
    """A string, or a list of parts: text, output_text and refusal parts joined (tool parts are tool calls)."""
    if isinstance(content, str):
        return content
    pieces: list[str] = []
    for part in content if isinstance(content, list) else ():
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, dict):
            for key in ("text", "refusal"):
                if isinstance(part.get(key), str):
                    pieces.append(part[key])
    return "".join(pieces)


def _stream(body: str, kind: str, path: str | None) -> Answer:
    assembler = Assembler(path)
    if kind == "vercel":
        if not data_stream(body, assembler):
            raise AnswerError("no AI SDK data stream parts (`0:\"text\"` lines) in the response (check `stream`)")
    elif kind == "ndjson":
        for row in lines(body):
            if row.strip():
                try:
                    assembler.feed_json(json.loads(row))
                except ValueError:
                    assembler.pieces.append(row)
    else:
        events = [(name, data) for name, data in sse_events(body) if data.strip() != "[DONE]"]
        if not events:
            raise AnswerError("no server-sent events with data in the response (check `stream`)")
        for name, data in events:
            assembler.feed(name, data)
        if not assembler.understood and not assembler.tools and assembler.error is None:
            # An event shape we do not know: judge all of it rather than an empty answer that passes everything.
            return Answer("\n".join(data for _, data in events))
    tools = _dedupe([ToolCall(name, arguments) for name, arguments in assembler.calls()])
    if assembler.error is not None and not assembler.text and not tools:
        raise AnswerError(f"the stream ended with an error: {assembler.error}")
    return Answer(assembler.text, tools, incomplete=assembler.error)


def _dedupe(tools: list[ToolCall]) -> tuple[ToolCall, ...]:
    """Each call once: a call repeated verbatim (an `output_item.done` and `response.completed`), or announced
    without arguments beside the same call with them, is one call; two calls with different arguments stay two."""
    kept: list[ToolCall] = []
    for call in tools:
        if call in kept:
            continue
        if not call.arguments.strip("{} ") and any(k.name == call.name for k in tools if k.arguments.strip("{} ")):
            continue
        kept.append(call)
    return tuple(kept)


def tool_calls(node: Any) -> Iterator[ToolCall]:
    """Tool calls anywhere in a JSON document: OpenAI tool_calls/function_call, Anthropic tool_use,
    Gemini functionCall, AI SDK tool parts."""
    if isinstance(node, list):
        for item in node:
            yield from tool_calls(item)
        return
    if not isinstance(node, dict):
        return
    for item in node.get("tool_calls") or []:
        if isinstance(item, dict):
            inner = item.get("function")
            function: dict[str, Any] = inner if isinstance(inner, dict) else item
            if isinstance(function.get("name"), str):
                yield ToolCall(function["name"], _as_text(function.get("arguments", function.get("args"))))
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
            yield from tool_calls(value)
