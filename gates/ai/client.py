"""Talk to the chat endpoint: log in once, send one prompt, read the whole answer (streams included).

The client, --resolve, --ca-bundle, the login session and failure words come from gates.common.http.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from gates.ai.answers import Answer, AnswerError, parse
from gates.ai.options import PLACEHOLDER, Options
from gates.common.http import ClientSettings, LoginError, build_client, classify, login, login_secrets
from gates.errors import CannotEvaluate

# Statuses that mean the gate is pointed at the wrong thing, not that the app refused the attack.
_MISCONFIGURED = {401: "not authorized (set auth = true and a login?)", 403: "forbidden",
                  404: "not found (check url/path)", 405: "method not allowed (check method)",
                  429: "rate limited (lower concurrency or max_requests)"}


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
    def __init__(self, options: Options) -> None:
        self.options = options
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
        options = self.options
        request = self._request(prompt)
        started = time.perf_counter()
        try:
            with self.client.stream(options.method, options.url, **request) as response:
                body = response.read().decode(response.encoding or "utf-8", "replace")
        except httpx.HTTPError as exc:
            failure = classify(exc)
            if failure.kind == "timeout":
                return Exchange(prompt, error=f"timed out after {options.timeout_s:g}s ({failure.message})")
            return Exchange(prompt, error=failure.message, unreachable=failure.kind in ("dns", "connect", "tls"))
        elapsed = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status >= 500 or status in _MISCONFIGURED or 300 <= status < 400:
            why = _MISCONFIGURED.get(status, "server error" if status >= 500 else "redirect")
            return Exchange(prompt, status=status, elapsed_ms=elapsed, error=f"HTTP {status}: {why}")
        headers = {key.lower(): value for key, value in response.headers.items()}
        try:
            answer = parse(body, headers.get("content-type", ""), headers, options.stream, options.answer)
        except AnswerError as exc:
            if status >= 400:
                answer = Answer(body)
            else:
                return Exchange(prompt, status=status, elapsed_ms=elapsed, error=str(exc))
        return Exchange(prompt, answer, status, elapsed, blocked=status >= 400)

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
