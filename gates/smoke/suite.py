"""One round of smoke checks: log in first, then every independent check at once, the write and its cleanup."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import httpx

from gates.common.http import LoginError, Session, async_login, build_async_client, dotted_get
from gates.report import Check, Finding, Severity, Status
from gates.smoke.options import HEALTH_PATHS, Options, Request, Write
from gates.smoke.probe import NOT_JSON, send, to_check

DEFAULTS_NOTE = "no [[smoke.checks]] declared: only the homepage and a health path were checked"
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.-]+)\}")


@dataclass(frozen=True)
class Round:
    checks: tuple[Check, ...]
    secrets: frozenset[str]  # session cookie / bearer token seen while logging in


async def run_round(options: Options, write: bool = True) -> Round:
    """`write=False` for watch rounds: the write (and its cleanup) happens once per gate run."""
    async with build_async_client(options.client) as client:
        session, login_check = await _login(client, options)
        headers = session.headers if session else {}
        jobs = [_check(client, options, check, headers, login_check) for check in options.checks]
        if not options.checks:
            jobs = [_homepage(client, options), _health(client, options)]
        if options.write is not None and write:
            jobs.append(_write(client, options, options.write, headers, login_check))
        results = await asyncio.gather(*jobs)
    checks = [login_check] if login_check else []
    for result in results:
        checks.extend(result)
    return Round(tuple(checks), frozenset(session.secrets) if session else frozenset())


async def _login(client: httpx.AsyncClient, options: Options) -> tuple[Session | None, Check | None]:
    if options.login is None:
        return None, None
    started = time.perf_counter()
    spec = options.login
    try:
        session = await async_login(client, spec)
    except LoginError as exc:
        kind = exc.failure.kind if exc.failure else "login"
        finding = Finding(kind, exc.message.removeprefix("login "))
        check = Check("login", Status.FAILED, time.perf_counter() - started, findings=(finding,), group="login",
                      output=f"{spec.method} {spec.path}")
        return None, check
    how = "bearer token" if spec.token else "session cookie"
    check = Check("login", Status.PASSED, time.perf_counter() - started, group="login",
                  properties={"elapsed_ms": round(session.elapsed_ms, 1), "status_code": session.status_code},
                  message=f"{session.status_code} in {session.elapsed_ms:.0f} ms, {how} captured",
                  output=f"{spec.method} {spec.path}")
    return session, check


def _not_signed_in(request: Request, group: str) -> Check:
    return Check(request.name, Status.SKIPPED, group=group, message="not run: the login failed")


async def _check(client: httpx.AsyncClient, options: Options, request: Request, headers: Any,
                 login_check: Check | None) -> list[Check]:
    if request.auth and (login_check is None or login_check.status is not Status.PASSED):
        return [_not_signed_in(request, "checks")]
    return [to_check(await send(client, request, headers, options.retries, options.backoff))]


async def _homepage(client: httpx.AsyncClient, options: Options) -> list[Check]:
    check = to_check(await send(client, Request("homepage", "/"), {}, options.retries, options.backoff))
    return [replace(check, message=f"{check.message}; {DEFAULTS_NOTE}" if check.message else "",
                    findings=(*check.findings, Finding("defaults", DEFAULTS_NOTE, Severity.INFO)))]


async def _health(client: httpx.AsyncClient, options: Options) -> list[Check]:
    """The first of /health, /healthz, /api/health that exists (answers anything but 404/405)."""
    candidates = (options.health,) if options.health else HEALTH_PATHS
    tried = []
    for path in candidates:
        outcome = await send(client, Request("health", path), {}, options.retries, options.backoff)
        if options.health or outcome.last.status_code not in (404, 405):
            return [to_check(outcome)]
        tried.append(path)
    return [Check("health", Status.SKIPPED, group="checks",
                  message=f"no health endpoint: {', '.join(tried)} all answered 404")]


async def _write(client: httpx.AsyncClient, options: Options, write: Write, headers: Any,
                 login_check: Check | None) -> list[Check]:
    if write.request.auth and (login_check is None or login_check.status is not Status.PASSED):
        skipped = [_not_signed_in(write.request, "write")]
        if write.cleanup:
            skipped.append(_not_signed_in(write.cleanup, "write"))
        return skipped
    # Resent only when the connection was refused: a POST that may have been applied is never repeated.
    outcome = await send(client, write.request, headers, options.retries, options.backoff)
    checks = [to_check(outcome, group="write")]
    if write.cleanup is None:
        return checks
    if outcome.response is None or outcome.response.status_code >= 400:
        checks.append(Check(write.cleanup.name, Status.SKIPPED, group="write",
                            message="not run: the write did not succeed, nothing to clean up"))
        return checks
    try:
        path = _fill(write.cleanup.path, outcome.json())
    except LookupError as exc:
        checks.append(Check(write.cleanup.name, Status.ERROR, group="write",
                            message=f"cannot build the cleanup path {write.cleanup.path}: {exc}"))
        return checks
    cleanup = replace(write.cleanup, path=path)
    checks.append(to_check(await send(client, cleanup, headers, options.retries, options.backoff), group="write"))
    return checks


def _fill(path: str, data: Any) -> str:
    """`/api/items/{id}`: placeholders read from the write's JSON answer (dotted paths allowed)."""
    if not _PLACEHOLDER.search(path):
        return path
    if data is NOT_JSON:
        raise LookupError("the write's answer is not JSON")
    # Quoted: an id like "a/b" or "x y" stays one path segment instead of reaching another URL.
    return _PLACEHOLDER.sub(lambda m: quote(str(dotted_get(data, m.group(1))), safe=""), path)
