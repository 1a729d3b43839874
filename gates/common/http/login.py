"""Login sessions kept apart from the client: a session cookie or a bearer token."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from gates.common.http.failures import Failure, classify
from gates.common.http.values import dotted_get


@dataclass(frozen=True)
class LoginSpec:
    path: str
    method: str = "POST"
    json: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str | None = None  # dotted JSON field holding a bearer token; None = use the session cookie
    status: tuple[int, ...] = ()  # accepted statuses; empty = any 2xx


@dataclass(frozen=True)
class Session:
    headers: Mapping[str, str]
    secrets: tuple[str, ...]
    status_code: int
    elapsed_ms: float


class LoginError(Exception):
    """The login ran but did not give a session; `.failure` is set when the request itself failed."""

    def __init__(self, message: str, failure: Failure | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.failure = failure


# Keys in a login body whose values are credentials (password, api_key, otp...): never shown, never literal.
CREDENTIAL_KEY = re.compile(r"pass|secret|token|otp|key|credential", re.I)


def credential_values(body: Any, key: str = "") -> set[str]:
    """The string values of a login body (JSON or form, nested) held under credential-looking keys."""
    found: set[str] = set()
    if isinstance(body, Mapping):
        for name, item in body.items():
            found |= credential_values(item, str(name))
    elif isinstance(body, list | tuple):
        for item in body:
            found |= credential_values(item, key)
    elif isinstance(body, str) and body and CREDENTIAL_KEY.search(key):
        found.add(body)
    return found


def login_secrets(spec: LoginSpec) -> tuple[str, ...]:
    """Values in the login body that must never be shown (every string value: passwords, e-mails)."""
    values: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            values.append(node)
        elif isinstance(node, Mapping):
            for item in node.values():
                walk(item)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(spec.json)
    walk(dict(spec.form or {}))
    return tuple(values)


def _login_kwargs(spec: LoginSpec) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"headers": dict(spec.headers)}
    if spec.json is not None:
        kwargs["json"] = spec.json
    elif spec.form is not None:
        kwargs["data"] = dict(spec.form)
    return kwargs


def _session(spec: LoginSpec, response: httpx.Response, jar: httpx.Cookies) -> Session:
    ok = response.status_code in spec.status if spec.status else 200 <= response.status_code < 300
    if not ok:
        raise LoginError(f"login {spec.method} {spec.path}: status {response.status_code}")
    elapsed = response.elapsed.total_seconds() * 1000
    if spec.token:
        try:
            token = dotted_get(response.json(), spec.token)
        except (ValueError, LookupError) as exc:
            raise LoginError(f"login {spec.path}: no bearer token at JSON field {spec.token!r} ({exc})") from None
        if not isinstance(token, str) or not token:
            raise LoginError(f"login {spec.path}: JSON field {spec.token!r} is not a non-empty string")
        return Session({"Authorization": f"Bearer {token}"}, (token,), response.status_code, elapsed)
    cookies = {cookie.name: cookie.value for cookie in jar.jar if cookie.value}
    cookies.update({name: value for name, value in response.cookies.items() if value})
    if not cookies:
        raise LoginError(f"login {spec.path}: the response set no session cookie (set [login] token for a bearer)")
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return Session({"Cookie": header}, tuple(cookies.values()), response.status_code, elapsed)


def login(client: httpx.Client, spec: LoginSpec) -> Session:
    try:
        response = client.request(spec.method, spec.path, **_login_kwargs(spec))
    except httpx.HTTPError as exc:
        failure = classify(exc)
        raise LoginError(f"login {spec.method} {spec.path}: {failure.message}", failure) from None
    jar = httpx.Cookies(client.cookies)
    client.cookies.clear()
    return _session(spec, response, jar)


async def async_login(client: httpx.AsyncClient, spec: LoginSpec) -> Session:
    try:
        response = await client.request(spec.method, spec.path, **_login_kwargs(spec))
    except httpx.HTTPError as exc:
        failure = classify(exc)
        raise LoginError(f"login {spec.method} {spec.path}: {failure.message}", failure) from None
    jar = httpx.Cookies(client.cookies)
    client.cookies.clear()
    return _session(spec, response, jar)


