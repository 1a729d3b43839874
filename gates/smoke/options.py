"""[smoke] (merged with flags) -> Options: validated once, so the rest of the gate never re-checks config."""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.common.duration import parse_duration
from gates.common.http import (
    HTTP_TOKEN,
    ClientSettings,
    LoginSpec,
    header_problem,
    parse_connect_to,
    parse_resolve,
    url_problem,
)
from gates.common.login_config import login_from_config
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured
from gates.schema import Validator
from gates.schemas.smoke import SCHEMA

HEALTH_PATHS = ("/health", "/healthz", "/api/health")


@dataclass(frozen=True)
class Expect:
    status: tuple[int, ...] = ()  # empty: any status below 400
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    json_equals: Mapping[str, Any] = field(default_factory=dict)  # dotted path -> value
    max_ms: float | None = None


@dataclass(frozen=True)
class Request:
    name: str
    path: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    body: str | None = None
    auth: bool = False
    expect: Expect = Expect()
    follow_redirects: bool | None = None  # None: the client's default (off)
    retries: int | None = None  # None: Options.retries
    timeout: float | None = None

    def describe(self) -> str:
        parts = [f"{self.method} {self.path}"]
        parts.append("status " + "/".join(map(str, self.expect.status)) if self.expect.status else "status < 400")
        parts += [f"contains {c!r}" for c in self.expect.contains]
        parts += [f"not contains {c!r}" for c in self.expect.not_contains]
        parts += [f"{k} == {v!r}" for k, v in self.expect.json_equals.items()]
        if self.expect.max_ms is not None:
            parts.append(f"<= {self.expect.max_ms:g} ms")
        if self.auth:
            parts.append("signed in")
        return ", ".join(parts)


@dataclass(frozen=True)
class Write:
    request: Request
    cleanup: Request | None = None


@dataclass(frozen=True)
class Options:
    base_url: str
    client: ClientSettings
    checks: tuple[Request, ...] = ()  # empty: the default checks (homepage + first health path found)
    login: LoginSpec | None = None
    write: Write | None = None
    health: str | None = None
    wait: float = 0.0
    retries: int = 2
    backoff: float = 0.5
    rollback: tuple[str, ...] = ()
    rollback_timeout: float = 300.0
    rollback_on_inconclusive: bool = False
    watch: float = 0.0
    interval: float = 15.0
    max_error_rate: float = 0.01
    failure_limit: int = 0
    consecutive_errors: int = 4
    dry_run: bool = False
    root: Path = Path(".")
    secrets: frozenset[str] = frozenset()  # login credentials, for Report.secrets


def _fail(key: str, expected: str, got: Any) -> ConfigError:
    return ConfigError(f"[smoke] {key}: expected {expected}, got {got!r}")


def _seconds(section: Mapping[str, Any], key: str, default: float, positive: bool = False) -> float:
    if section.get(key) is None:
        return default
    try:
        seconds = parse_duration(section[key])
    except ValueError:
        raise _fail(key, "a duration like 30s, 5m or 500ms", section[key]) from None
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        raise _fail(key, "a duration above zero" if positive else "a finite duration of zero or more", section[key])
    return seconds


def _number(section: Mapping[str, Any], key: str, default: float, low: float, high: float | None = None) -> float:
    value = section.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(key, "a number", value) from None
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        raise _fail(key, f"a number from {low:g}" + (f" to {high:g}" if high is not None else ""), value)
    return number


def _int(section: Mapping[str, Any], key: str, default: int) -> int:
    value = section.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail(key, "a whole number", value) from None
    if number < 0 or str(number) != str(value).strip():
        raise _fail(key, "a whole number of zero or more", value)
    return number


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _statuses(key: str, value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    codes = tuple(value) if isinstance(value, list) else (value,)
    if not all(isinstance(code, int) and not isinstance(code, bool) and 100 <= code <= 599 for code in codes):
        raise _fail(key, "an HTTP status (100-599) or an array of them", value)
    return codes


def _url(key: str, value: str) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise _fail(key, f"a valid http(s) URL or path ({problem})", value)
    return value


def _headers(key: str, value: Any) -> dict[str, str]:
    headers = {str(name): str(text) for name, text in dict(value or {}).items()}
    for name, text in headers.items():
        problem = header_problem(name, text)
        if problem is not None:
            raise _fail(f"{key}.{name}", f"a header name without spaces and a value on one line ({problem})", text)
    return headers


def _positive(key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise _fail(key, "a number above zero", value)
    return float(value)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def _path(key: str, raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(key, "a path like /health or a full URL", raw)
    return _url(key, raw if raw.startswith(("/", "http://", "https://")) else "/" + raw)


def parse_request(raw: Mapping[str, Any], key: str, default_name: str) -> Request:
    method = str(raw.get("method", "POST" if raw.get("json") is not None or raw.get("form") else "GET")).upper()
    if not HTTP_TOKEN.fullmatch(method):
        raise _fail(f"{key} method", "an HTTP method like GET or POST", raw.get("method"))
    if sum(raw.get(part) is not None for part in ("json", "form", "body")) > 1:
        raise ConfigError(f"[smoke] {key}: json, form and body are alternatives; give one")
    if method == "HEAD" and (raw.get("contains") or raw.get("not_contains") or raw.get("json_equals")):
        raise ConfigError(f"[smoke] {key}: a HEAD answer has no body to check; use GET for contains/json_equals")
    retries = raw.get("retries")
    if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int) or retries < 0):
        raise _fail(f"{key} retries", "a whole number of zero or more", retries)
    timeout = _positive(f"{key} timeout", parse_duration(raw["timeout"])) if raw.get("timeout") is not None else None
    return Request(
        name=str(raw.get("name") or default_name),
        path=_path(f"{key} path", raw.get("path", raw.get("url"))),
        method=method,
        headers=_headers(f"{key} headers", raw.get("headers")),
        json=raw.get("json"),
        form=raw.get("form"),
        body=raw.get("body"),
        auth=bool(raw.get("auth", False)),
        expect=Expect(
            status=_statuses(f"{key} status", raw.get("status")),
            contains=_strings(raw.get("contains")),
            not_contains=_strings(raw.get("not_contains")),
            json_equals=_flatten(raw.get("json_equals") or {}),
            max_ms=_positive(f"{key} max_ms", raw.get("max_ms")),
        ),
        follow_redirects=raw.get("follow_redirects"),
        retries=retries,
        timeout=timeout,
    )


def _checks(section: Mapping[str, Any]) -> tuple[Request, ...]:
    checks = [parse_request(raw, f"checks[{i}]", f"check {i + 1}") for i, raw in enumerate(section.get("checks", []))]
    checks += [Request(name=f"GET {path}", path=_path("paths", path)) for path in _strings(section.get("paths"))]
    seen: set[str] = set()
    for check in checks:
        if check.name in seen:
            raise ConfigError(f"[smoke] checks: two checks are named {check.name!r}; names must be unique")
        seen.add(check.name)
    return tuple(checks)


def _write(section: Mapping[str, Any], has_login: bool) -> Write | None:
    raw = section.get("write")
    if not raw:
        return None
    raw = {"auth": has_login, **raw}
    request = parse_request({k: v for k, v in raw.items() if k != "cleanup"}, "write", "write")
    cleanup_raw = raw.get("cleanup")
    cleanup = None
    if cleanup_raw:
        if not isinstance(cleanup_raw, Mapping):
            expected = 'a table like { method = "DELETE", path = "/api/items/{id}" }'
            raise _fail("write.cleanup", expected, cleanup_raw)
        cleanup = parse_request({"method": "DELETE", "auth": request.auth, **cleanup_raw}, "write.cleanup", "cleanup")
    return Write(request, cleanup)


def _rollback(section: Mapping[str, Any]) -> tuple[str, ...]:
    value = section.get("rollback")
    if not value:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    try:
        # Split as a shell splits words, with no expansion: the command never runs through a shell.
        words = tuple(shlex.split(str(value)))
    except ValueError as exc:
        raise _fail("rollback", f"a command line ({exc})", value) from None
    if not words:
        raise _fail("rollback", "a command", value)
    return words


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    Validator(ctx.config.source).table(
        {k: v for k, v in section.items() if k in SCHEMA and k not in _FLAG_KINDS}, SCHEMA, "smoke"
    )
    base_url = str(section.get("base_url") or "").rstrip("/")
    if not base_url:
        raise NotConfigured("set [smoke] base_url or --base-url")
    if not base_url.startswith(("http://", "https://")):
        raise _fail("base_url", "an http:// or https:// URL", base_url)
    _url("base_url", base_url)
    resolve = _strings(section.get("resolve"))
    parse_resolve(resolve)
    connect_to = _strings(section.get("connect_to"))
    parse_connect_to(connect_to)
    login, secrets = login_from_config("smoke", section.get("login"), ctx)
    checks = _checks(section)
    if any(check.auth for check in checks) and login is None:
        name = next(check.name for check in checks if check.auth)
        raise ConfigError(f"[smoke] checks: {name!r} has auth = true but there is no [smoke.login]")
    write = _write(section, login is not None)
    if write is not None and write.request.auth and login is None:
        raise ConfigError("[smoke] write: auth = true but there is no [smoke.login]")
    watch = _seconds(section, "watch", 0.0)
    interval = _seconds(section, "interval", 15.0)
    if watch and interval <= 0:
        raise _fail("interval", "a duration above zero", section.get("interval"))
    ca_bundle = section.get("ca_bundle")
    return Options(
        base_url=base_url,
        client=ClientSettings(
            base_url=base_url,
            resolve=resolve,
            connect_to=connect_to,
            ca_bundle=str(ca_bundle) if ca_bundle else None,
            timeout=_seconds(section, "timeout", 10.0, positive=True),
            headers=_headers("headers", section.get("headers")),
        ),
        checks=checks,
        login=login,
        write=write,
        health=_path("health", section["health"]) if section.get("health") else None,
        wait=_seconds(section, "wait", 0.0),
        retries=_int(section, "retries", 2),
        backoff=_seconds(section, "backoff", 0.5),
        rollback=_rollback(section),
        rollback_timeout=_seconds(section, "rollback_timeout", 300.0),
        rollback_on_inconclusive=bool(section.get("rollback_on_inconclusive", False)),
        watch=watch,
        interval=interval,
        max_error_rate=_number(section, "max_error_rate", 0.01, 0.0, 1.0),
        failure_limit=_int(section, "failure_limit", 0),
        consecutive_errors=_int(section, "consecutive_errors", 4),
        dry_run=bool(section.get("dry_run", False)),
        root=ctx.root,
        secrets=secrets,
    )


# Keys that may arrive from flags as strings (validated by the parsers above, not the schema).
_FLAG_KINDS = frozenset({"wait", "watch", "interval", "timeout", "backoff", "rollback_timeout", "retries",
                         "failure_limit", "consecutive_errors", "max_error_rate"})
