"""Talk to the chat endpoint: log in once, send one prompt, read the whole answer (streams included).

The client, --resolve, --ca-bundle, the login session and failure words come from gates.common.http.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from gates.ai.answers import Answer, AnswerError, parse
from gates.ai.options import PLACEHOLDER, Options
from gates.common.http import (
    ClientSettings,
    LoginError,
    build_client,
    classify,
    decode_body,
    login,
    login_secrets,
)
from gates.errors import CannotEvaluate

# Statuses that mean the gate is pointed at the wrong thing, not that the app refused the attack.
_MISCONFIGURED = {401: "not authorized (set auth = true and a login?)", 403: "forbidden",
                  404: "not found (check url/path)", 405: "method not allowed (check method)",
                  429: "rate limited (lower concurrency or max_requests)"}
MAX_BODY = 2_000_000  # bytes of one answer: a runaway generation must not exhaust memory


@dataclass(frozen=True)
class Exchange:
    prompt: str
    answer: Answer | None = None
    status: int | None = None
    elapsed_ms: float | None = None
    error: str | None = None
    unreachable: bool = False
    blocked: bool = False  # a 4xx that reads as the app refusing the prompt (moderation layers do this)


def fill(template: Any, prompt: str, escape: bool = False) -> Any:
    """The template with every {prompt} replaced; inside a raw JSON text the prompt is JSON-escaped."""
    if isinstance(template, str):
        return template.replace(PLACEHOLDER, json.dumps(prompt)[1:-1] if escape else prompt)
    if isinstance(template, list):
        return [fill(item, prompt, escape) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, prompt, escape) for key, value in template.items()}
    return template


class Endpoint:
    def __init__(self, options: Options, spare: int = 0) -> None:
        self.options = options
        self.spare = spare  # requests max_requests leaves for retries after the planned attacks
        self.retries = 0
        self._lock = threading.Lock()
        self.secrets: set[str] = set()
        self.client = build_client(ClientSettings(
            resolve=options.resolve, ca_bundle=options.ca_bundle, timeout=options.timeout_s,
            headers=options.headers, max_connections=options.concurrency,
        ))

    def close(self) -> None:
        self.client.close()

    def log_in(self) -> None:
        """Sign in once; every attack then carries the session (cookie or bearer token)."""
        spec = self.options.login
        if spec is None:
            return
        self.secrets.update(value for value in login_secrets(spec) if len(value) >= 4)
        try:
            session = login(self.client, spec)
        except LoginError as exc:
            raise CannotEvaluate(f"ai: cannot sign in: {exc.message}") from None
        self.secrets.update(session.secrets)
        self.client.headers.update(session.headers)

    def ask(self, prompt: str) -> Exchange:
        """One attack; a 429 is retried after its Retry-After while the wait fits in `timeout` and a request
        is left in max_requests (retries are requests: the budget is never exceeded)."""
        waited = 0.0
        while True:
            exchange, retry_after = self._ask_once(prompt)
            if retry_after is None:
                return exchange
            if waited + retry_after > self.options.timeout_s:
                return replace(exchange, error=f"{exchange.error}; Retry-After {retry_after:g}s is past the "
                                               f"{self.options.timeout_s:g}s timeout")
            if not self._take_retry():
                return replace(exchange, error=f"{exchange.error}; no request left in max_requests "
                                               f"({self.options.max_requests}) to retry")
            time.sleep(retry_after)
            waited += retry_after

    def _take_retry(self) -> bool:
        with self._lock:
            if self.spare <= 0:
                return False
            self.spare -= 1
            self.retries += 1
            return True

    def _ask_once(self, prompt: str) -> tuple[Exchange, float | None]:
        options = self.options
        request = self._request(prompt)
        started = time.perf_counter()
        try:
            with self.client.stream(options.method, options.url, **request) as response:
                raw, cut = _read(response, started + options.timeout_s)
        except httpx.HTTPError as exc:
            failure = classify(exc)
            if failure.kind == "timeout":
                return Exchange(prompt, error=f"timed out after {options.timeout_s:g}s ({failure.message})"), None
            unreachable = failure.kind in ("dns", "connect", "tls")
            return Exchange(prompt, error=failure.message, unreachable=unreachable), None
        elapsed = (time.perf_counter() - started) * 1000
        status = response.status_code
        headers = {key.lower(): value for key, value in response.headers.items()}
        if cut == "timeout":
            return Exchange(prompt, status=status, elapsed_ms=elapsed,
                            error=f"timed out after {options.timeout_s:g}s: the answer was still streaming"), None
        if status >= 500 or status in _MISCONFIGURED or 300 <= status < 400:
            why = _MISCONFIGURED.get(status, "server error" if status >= 500 else "redirect")
            failed = Exchange(prompt, status=status, elapsed_ms=elapsed, error=f"HTTP {status}: {why}")
            return failed, (retry_after(headers.get("retry-after")) if status in (429, 503) else None)
        body = decode_body(raw, headers.get("content-type"))
        try:
            answer = parse(body, headers.get("content-type", ""), headers, options.stream, options.answer)
        except AnswerError as exc:
            if status >= 400:
                answer = Answer(body, raw=body)
            else:
                return Exchange(prompt, status=status, elapsed_ms=elapsed, error=str(exc)), None
        if cut == "size":
            answer = replace(answer, incomplete=f"the answer is over {MAX_BODY // 1_000_000} MB: only its start "
                                                "was judged")
        return Exchange(prompt, answer, status, elapsed, blocked=status >= 400), None

    def _request(self, prompt: str) -> dict[str, Any]:
        template = self.options.request
        if self.options.method == "GET" and isinstance(template, dict):
            return {"params": fill(template, prompt)}
        if isinstance(template, str):
            content = fill(template, prompt, escape=True)
            try:
                json.loads(content)
            except ValueError:
                return {"content": fill(template, prompt), "headers": {"Content-Type": "text/plain"}}
            return {"content": content, "headers": {"Content-Type": "application/json"}}
        return {"json": fill(template, prompt)}


def _read(response: httpx.Response, deadline: float) -> tuple[bytes, str | None]:
    """The body, up to MAX_BODY bytes, and why reading stopped early ("size", "timeout") if it did. The read
    timeout is per chunk: a stream that trickles keep-alives forever is cut at the request's deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            return b"".join(chunks)[:MAX_BODY], "size"
        if time.perf_counter() > deadline:
            return b"".join(chunks), "timeout"
    return b"".join(chunks), None


def retry_after(value: str | None) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); 1 s when absent or unreadable."""
    if not value:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
