"""Assemble a streamed answer (server-sent events, NDJSON, the Vercel AI SDK data stream) into text + tool calls.

Every provider streams tool calls in pieces: OpenAI sends the name once and `function.arguments` in fragments
keyed by `index`; Anthropic sends `input_json_delta` fragments per content block; the OpenAI Responses API
sends `response.function_call_arguments.delta`; the AI SDK sends `c:` / `tool-input-delta` parts. The pieces
are joined per call before judging, so an exfiltration URL or a canary in the arguments is seen whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_LINE = re.compile(r"\r\n|\r|\n")  # the only line ends of SSE (a U+2028 inside a JSON string is data)
_GENERIC_TEXT = ("text", "content", "delta", "token", "response", "answer", "output", "chunk")


def lines(body: str) -> list[str]:
    return _LINE.split(body)


def sse_events(body: str) -> Iterator[tuple[str, str]]:
    """(event name, data) per dispatched event, as the HTML spec reads a stream: `data:` with or without the
    space, several data lines joined by newlines, `:` comments ignored, CR, LF or CRLF line ends."""
    data: list[str] = []
    name = ""
    for line in lines(body):
        if not line:
            if data:
                yield name or "message", "\n".join(data)
            data, name = [], ""
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
    if data:
        yield name or "message", "\n".join(data)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class Assembler:
    """Feed it events in order; read `text`, `calls()` and `error` at the end."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.pieces: list[str] = []
        self.tools: dict[tuple[Any, ...], list[str]] = {}  # key -> [name, arguments]
        self.error: str | None = None
        self.understood = 0
        self.matched = False  # the configured answer path was in the current event: it alone gives the text

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def calls(self) -> list[tuple[str, str]]:
        return [(name or "(unnamed tool)", arguments) for name, arguments in self.tools.values()]

    def _tool(self, key: tuple[Any, ...], name: Any = None, arguments: Any = None, replace: bool = False) -> None:
        entry = self.tools.setdefault(key, ["", ""])
        if isinstance(name, str) and name:
            entry[0] = name
        if arguments is not None:
            piece = _text(arguments) if not isinstance(arguments, dict) or arguments else ""
            entry[1] = piece if replace else entry[1] + piece

    def _say(self, value: Any) -> None:
        if isinstance(value, str):
            self.pieces.append(value)
            self.understood += 1

    def feed(self, name: str, data: str) -> None:
        if data.strip() == "[DONE]":
            return
        try:
            event = json.loads(data)
        except ValueError:
            self._say(data)  # plain-text tokens
            return
        if name == "error" and self.error is None:
            self.error = _error_text(event)
        self.feed_json(event)

    def feed_json(self, event: Any) -> None:
        from gates.ai.answers import lookup

        if isinstance(event, str):
            self._say(event)
            return
        if not isinstance(event, dict):
            return
        self.matched = False
        if self.path:
            try:
                self._say(_text(lookup(event, self.path)))
                self.matched = True
            except KeyError:
                pass
        kind = str(event.get("type") or "")
        if event.get("error") and kind not in ("tool-output-error",) or kind in ("error", "response.failed"):
            self.error = self.error or _error_text(event)
            self.understood += 1
            return
        if isinstance(event.get("choices"), list):
            self._openai_chunk(event["choices"])
        elif kind.startswith("response."):
            self._responses(kind, event)
        elif kind.startswith(("content_block", "message_")):
            self._anthropic(kind, event)
        elif kind.startswith(("text-", "reasoning", "tool-")) or kind in ("start", "finish", "start-step",
                                                                            "finish-step"):
            self._ui_message(kind, event)
        else:
            self._generic(event)

    def _openai_chunk(self, choices: list[Any]) -> None:
        self.understood += 1
        for position, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            number = choice.get("index", position)
            for key in ("delta", "message"):
                part = choice.get(key)
                if not isinstance(part, dict):
                    continue
                if not self.matched:
                    self._say(part.get("content"))
                    self._say(part.get("refusal"))
                for item in part.get("tool_calls") or []:
                    if isinstance(item, dict):
                        inner = item.get("function")
                        function: dict[str, Any] = inner if isinstance(inner, dict) else {}
                        self._tool(("openai", number, item.get("index", 0)), function.get("name"),
                                   function.get("arguments"))
                call = part.get("function_call")
                if isinstance(call, dict):
                    self._tool(("openai-fc", number), call.get("name"), call.get("arguments"))
            if not self.matched:
                self._say(choice.get("text"))

    def _responses(self, kind: str, event: dict[str, Any]) -> None:
        self.understood += 1
        if kind in ("response.output_text.delta", "response.refusal.delta") and not self.matched:
            self._say(event.get("delta"))
        elif kind == "response.function_call_arguments.delta":
            self._tool(("responses", event.get("item_id") or event.get("output_index")), None, event.get("delta"))
        elif kind in ("response.output_item.added", "response.output_item.done"):
            item = event.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call":
                key = ("responses", item.get("id") or event.get("output_index"))
                done = kind.endswith("done") and bool(item.get("arguments"))
                self._tool(key, item.get("name"), item.get("arguments") if done else None, replace=done)

    def _anthropic(self, kind: str, event: dict[str, Any]) -> None:
        self.understood += 1
        key = ("anthropic", event.get("index", 0))
        if kind == "content_block_start" and isinstance(event.get("content_block"), dict):
            block = event["content_block"]
            if block.get("type") in ("tool_use", "server_tool_use"):
                self._tool(key, block.get("name"), block.get("input"))
            elif not self.matched:
                self._say(block.get("text"))
        elif kind == "content_block_delta" and isinstance(event.get("delta"), dict):
            delta = event["delta"]
            if delta.get("type") == "input_json_delta":
                self._tool(key, None, delta.get("partial_json"))
            elif not self.matched:
                self._say(delta.get("text"))

    def _ui_message(self, kind: str, event: dict[str, Any]) -> None:
        """AI SDK UI message stream (v5: text-delta `delta`; v4: `textDelta`)."""
        self.understood += 1
        key = ("ui", event.get("toolCallId"))
        if kind in ("text-delta", "reasoning-delta", "reasoning") and not self.matched:
            self._say(event.get("delta") if "delta" in event else event.get("textDelta"))
        elif kind in ("tool-input-start", "tool-call-streaming-start"):
            self._tool(key, event.get("toolName"))
        elif kind in ("tool-input-delta", "tool-call-delta"):
            self._tool(key, None, event.get("inputTextDelta", event.get("argsTextDelta")))
        elif kind in ("tool-input-available", "tool-call"):
            self._tool(key, event.get("toolName"), event.get("input", event.get("args")), replace=True)

    def _generic(self, event: dict[str, Any]) -> None:
        """Whole-shape chunks: Gemini (`candidates[].content.parts[]`), LangServe AIMessageChunk (`content`),
        Ollama (`message.content`, `response`), `{"token": …}`."""
        from gates.ai.answers import known_text, tool_calls

        text = known_text(event)
        if text is None:
            text = next((event[key] for key in _GENERIC_TEXT if isinstance(event.get(key), str)), None)
        if not self.matched:
            self._say(text)
        for chunk in event.get("tool_call_chunks") or []:  # LangChain: name once, `args` in string pieces
            if isinstance(chunk, dict):
                self._tool(("langchain", chunk.get("index", 0)), chunk.get("name"), chunk.get("args"))
        if event.get("tool_call_chunks"):
            return
        for number, call in enumerate(tool_calls(event)):
            self._tool(("generic", len(self.tools), number), call.name, call.arguments)


def _error_text(event: Any) -> str:
    if isinstance(event, dict):
        error = event.get("error") or event.get("errorText") or event.get("response", {})
        if isinstance(error, dict):
            error = error.get("message") or error.get("error") or error
        if error:
            return _text(error)[:200]
        return _text(event.get("message") or event)[:200]
    return _text(event)[:200]


def data_stream(body: str, assembler: Assembler) -> int:
    """Vercel AI SDK data stream v4 (`TYPE:JSON` lines): the parts read."""
    parts = 0
    for line in body.split("\n"):
        prefix, sep, payload = line.rstrip("\r").partition(":")
        if not sep or len(prefix) != 1:
            continue
        try:
            value = json.loads(payload)
        except ValueError:
            continue
        parts += 1
        if prefix in ("0", "g") and isinstance(value, str):
            assembler.pieces.append(value)
        elif prefix == "3":
            assembler.error = assembler.error or _text(value)[:200]
        elif isinstance(value, dict) and prefix in ("9", "b", "c"):
            key = ("data-stream", value.get("toolCallId"))
            if prefix == "c":
                assembler._tool(key, None, value.get("argsTextDelta"))
            else:
                assembler._tool(key, value.get("toolName"), value.get("args"), replace=prefix == "9")
    return parts
