"""One smoke check: send the request (retrying 502/503/504 and connection resets), judge the answer."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from gates.common.http import Failure, classify, decode_body, dotted_get
from gates.redact import mask
from gates.report import Check, Finding, Status
from gates.smoke.options import Request

RETRY_STATUSES = frozenset({502, 503, 504})
# RFC 9110 9.2.2: repeating these has the effect of sending them once. Any other method (POST, PATCH) is
# retried only when the request never reached the server (refused, or no connection within the timeout).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
BODY_SHOWN = 300  # characters of a failing answer kept in the output
MAX_BODY = 2_000_000  # bytes of an answer read (decompressed); the rest is not downloaded
_SECRET_KEY = re.compile(r"token|secret|pass|session|cookie|api_?key|credential|jwt", re.I)


@dataclass(frozen=True)
class Attempt:
    number: int
    elapsed_ms: float
    status_code: int | None = None
    failure: Failure | None = None
    unsent: bool = False  # no connection was made: the server cannot have acted on the request

    @property
    def retryable(self) -> bool:
        if self.failure is not None:
            return self.failure.kind == "connect" or self.unsent and self.failure.kind == "timeout"
        return self.status_code in RETRY_STATUSES

    def may_retry(self, method: str) -> bool:
        """A 502/504 or a reset after sending may come after the server applied a POST: only resend it when
        the connection was never made."""
        return self.retryable and (method.upper() in IDEMPOTENT or self.unsent)

    def line(self) -> str:
        result = self.failure.message if self.failure else f"status {self.status_code}"
        return f"attempt {self.number}: {result} in {self.elapsed_ms:.0f} ms"


NOT_JSON = object()


@dataclass(frozen=True)
class Outcome:
    request: Request
    attempts: tuple[Attempt, ...]
    response: httpx.Response | None  # headers and status; the body is `body` (read up to MAX_BODY)
    body: bytes = b""
    truncated: bool = False

    @property
    def last(self) -> Attempt:
        return self.attempts[-1]

    @property
    def text(self) -> str:
        content_type = self.response.headers.get("content-type") if self.response is not None else None
        return decode_body(self.body, content_type)

    def contains(self, needle: str) -> bool:
        """In the decoded text, or as bytes: a page in an undeclared charset (Latin-1) or a binary answer."""
        if needle in self.text:
            return True
        for encoding in ("utf-8", "latin-1"):
            try:
                if needle.encode(encoding) in self.body:
                    return True
            except UnicodeEncodeError:
                continue
        return False

    def json(self) -> Any:
        """The parsed answer, or NOT_JSON (a JSON `null` is a value, not a missing body)."""
        if self.response is None or self.truncated:
            return NOT_JSON
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return NOT_JSON


async def send(client: httpx.AsyncClient, request: Request, auth_headers: Mapping[str, str],
               retries: int, backoff: float) -> Outcome:
    """Every attempt is kept: a retried blip shows in the output even when the check passes."""
    attempts: list[Attempt] = []
    allowed = request.retries if request.retries is not None else retries
    kwargs = _request_kwargs(request, auth_headers)
    # httpx times each phase (connect, each read); the whole answer gets the same budget, so an answer that
    # trickles in forever (an event stream, a stuck proxy) ends as a timeout instead of holding the gate.
    limit = request.timeout if request.timeout is not None else client.timeout.read
    while True:
        started = time.perf_counter()
        response: httpx.Response | None = None
        body, truncated = b"", False
        try:
            answer, body, truncated = await asyncio.wait_for(_fetch(client, request, kwargs), limit)
            response = answer
            attempt = Attempt(len(attempts) + 1, _ms(started), answer.status_code)
        except httpx.HTTPError as exc:
            unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            response = None
            attempt = Attempt(len(attempts) + 1, _ms(started), failure=classify(exc), unsent=unsent)
        except asyncio.TimeoutError:
            failure = Failure("timeout", f"timeout: no complete answer within {limit:g} s", True)
            attempt = Attempt(len(attempts) + 1, _ms(started), failure=failure)
        attempts.append(attempt)
        if not attempt.may_retry(request.method) or len(attempts) > allowed:
            return Outcome(request, tuple(attempts), response, body, truncated)
        await asyncio.sleep(backoff * 2 ** (len(attempts) - 1))


async def _fetch(client: httpx.AsyncClient, request: Request,
                 kwargs: dict[str, Any]) -> tuple[httpx.Response, bytes, bool]:
    async with client.stream(request.method, request.path, **kwargs) as response:
        body, truncated = await _read(response)
    return response, body, truncated


async def _read(response: httpx.Response) -> tuple[bytes, bool]:
    """Up to MAX_BODY bytes: a huge (or endless) answer is not downloaded whole."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_BODY:
            return bytes(body[:MAX_BODY]), True
    return bytes(body), False


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _request_kwargs(request: Request, auth_headers: Mapping[str, str]) -> dict[str, Any]:
    headers = dict(request.headers)
    if request.auth:
        headers.update(auth_headers)
    kwargs: dict[str, Any] = {"headers": headers}
    if request.json is not None:
        kwargs["json"] = request.json
    elif request.form is not None:
        kwargs["data"] = dict(request.form)
    elif request.body is not None:
        kwargs["content"] = request.body
    if request.follow_redirects is not None:
        kwargs["follow_redirects"] = request.follow_redirects
    if request.timeout is not None:
        kwargs["timeout"] = request.timeout
    return kwargs


def findings_for(outcome: Outcome) -> list[Finding]:
    """What is wrong with the final answer, each finding named after its kind (status, body, json, latency...)."""
    last = outcome.last
    if last.failure is not None:
        message = last.failure.message
        if message.lower().startswith(last.failure.kind):  # "connect: refused" -> rule connect, "refused"
            message = message[len(last.failure.kind):].lstrip(" :")
        return [Finding(last.failure.kind, _after_retries(message, outcome))]
    response = outcome.response
    assert response is not None
    expect = outcome.request.expect
    findings: list[Finding] = []
    ok = response.status_code in expect.status if expect.status else response.status_code < 400
    if not ok:
        wanted = "/".join(map(str, expect.status)) if expect.status else "below 400"
        findings.append(Finding("status", _after_retries(f"{response.status_code}, expected {wanted}",
                                                         outcome)))
    read = f" (in the first {MAX_BODY} bytes)" if outcome.truncated else ""
    findings += [Finding("body", f"the answer does not contain {c!r}{read}")
                 for c in expect.contains if not outcome.contains(c)]
    findings += [Finding("body", f"the answer contains {c!r}") for c in expect.not_contains if outcome.contains(c)]
    if expect.json_equals:
        if outcome.truncated:
            findings.append(Finding("json", f"the answer is over {MAX_BODY} bytes: not read whole, not parsed"))
        else:
            findings += _json_findings(outcome.json(), expect.json_equals)
    if expect.max_ms is not None and last.elapsed_ms > expect.max_ms:
        findings.append(Finding("latency", f"took {last.elapsed_ms:.0f} ms, budget {expect.max_ms:g} ms"))
    return findings


def _after_retries(message: str, outcome: Outcome) -> str:
    count = len(outcome.attempts)
    return f"{message} (after {count} attempts)" if count > 1 else message


def _json_findings(data: Any, expected: Mapping[str, Any]) -> list[Finding]:
    if data is NOT_JSON:
        return [Finding("json", "the answer is not JSON")]
    findings = []
    for path, want in expected.items():
        try:
            got = dotted_get(data, path)
        except LookupError as exc:
            findings.append(Finding("json", f"{path}: {exc}"))
            continue
        # true is not 1 and 1 is not true, whichever side the boolean is on (Python says True == 1)
        if got != want or (type(got) is bool) != (type(want) is bool):
            findings.append(Finding("json", f"{path} is {json.dumps(got)}, expected {json.dumps(want)}"))
    return findings


def shown_answer(outcome: Outcome) -> str:
    """The start of a failing answer, with values under secret-looking JSON keys (access_token...) masked."""
    data = outcome.json()
    if data is NOT_JSON:
        return outcome.text[:BODY_SHOWN].replace("\n", " ")
    return json.dumps(_mask_secrets(data), ensure_ascii=False)[:BODY_SHOWN]


def _mask_secrets(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _mask_secrets(v, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_mask_secrets(item, key) for item in node]
    if isinstance(node, str) and node and _SECRET_KEY.search(key):
        return mask(node)
    return node


def to_check(outcome: Outcome, group: str = "checks") -> Check:
    findings = findings_for(outcome)
    last = outcome.last
    dns_only = bool(findings) and all(f.rule == "dns" for f in findings)
    # A name that does not resolve from here says nothing about the deploy: could not check, not blocked.
    status = Status.ERROR if dns_only else Status.FAILED if findings else Status.PASSED
    output = [outcome.request.describe(), *(a.line() for a in outcome.attempts)]
    if findings and outcome.response is not None:
        output.append("answer: " + shown_answer(outcome))
    retried = f" after {len(outcome.attempts) - 1} retries" if len(outcome.attempts) > 1 else ""
    properties: dict[str, int | float | str | bool] = {
        "elapsed_ms": round(last.elapsed_ms, 1),
        "attempts": len(outcome.attempts),
        "method": outcome.request.method,
        "path": outcome.request.path,
    }
    if last.status_code is not None:
        properties["status_code"] = last.status_code
    if outcome.truncated:
        properties["body_truncated_at"] = MAX_BODY
    message = "" if findings else f"{last.status_code} in {last.elapsed_ms:.0f} ms{retried}"
    return Check(
        outcome.request.name,
        status,
        duration_s=sum(a.elapsed_ms for a in outcome.attempts) / 1000,
        findings=tuple(findings),
        properties=properties,
        output="\n".join(output),
        group=group,
        message=message,
    )
