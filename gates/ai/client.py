"""Talk to the chat endpoint: log in once, send one prompt, read the whole answer (streams included).

Own minimal httpx code: gates/common/http.py (the shared client) was not committed when this gate was
written. Swap to it once it offers login + CA bundle with the same behaviour.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any

import httpx

from gates.ai.answers import Answer, AnswerError, lookup, parse
from gates.ai.options import PLACEHOLDER, Login, Options
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
        self.client = httpx.Client(
            timeout=options.timeout_s,
            verify=options.ca_bundle or True,
            headers=dict(options.headers),
            limits=httpx.Limits(max_connections=options.concurrency),
            follow_redirects=False,
            # Without TCP_NODELAY, a request written as headers then body waits on the server's delayed
            # ACK: ~40 ms added to every answer time, which would skew p95_ms.
            transport=httpx.HTTPTransport(verify=options.ca_bundle or True,
                                          socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]),
        )

    def close(self) -> None:
        self.client.close()

    def log_in(self) -> None:
        login = self.options.login
        if login is None:
            return
        try:
            response = self.client.request(login.method, login.url, json=login.json, data=login.form,
                                           headers=dict(login.headers))
        except httpx.HTTPError as exc:
            raise CannotEvaluate(f"ai: cannot log in at {login.url}: {_describe(exc)}") from None
        if not _login_ok(response.status_code, login):
            raise CannotEvaluate(f"ai: login at {login.url} answered HTTP {response.status_code}")
        if login.token:
            self._use_token(response, login)

    def _use_token(self, response: httpx.Response, login: Login) -> None:
        try:
            token = lookup(response.json(), str(login.token))
        except (ValueError, KeyError):
            raise CannotEvaluate(f"ai: the login answer has no {login.token!r} token") from None
        self.secrets.add(str(token))
        self.client.headers["Authorization"] = f"Bearer {token}"

    def ask(self, prompt: str) -> Exchange:
        options = self.options
        request = self._request(prompt)
        started = time.perf_counter()
        try:
            with self.client.stream(options.method, options.url, **request) as response:
                body = response.read().decode(response.encoding or "utf-8", "replace")
        except httpx.TimeoutException:
            return Exchange(prompt, error=f"timed out after {options.timeout_s:g}s")
        except (httpx.ConnectError, httpx.UnsupportedProtocol) as exc:
            return Exchange(prompt, error=f"cannot connect: {_describe(exc)}", unreachable=True)
        except httpx.HTTPError as exc:
            return Exchange(prompt, error=_describe(exc))
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


def _login_ok(status: int, login: Login) -> bool:
    return status in login.status if login.status else 200 <= status < 300


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
