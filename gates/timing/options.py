"""The timing gate's options: the `[timing]` table (merged with flags) turned into checked values."""

from __future__ import annotations

import datetime
import math
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gates.common.duration import parse_duration
from gates.common.login_config import refuse_literal_credentials
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured
from gates.schema import describe

# The seeds' minimum bar: reads answer in 500 ms at p95, writes and logins in 800 ms, AI in 2 s; 1% errors.
DEFAULT_BUDGETS: dict[str, dict[str, float]] = {
    "read": {"p95_ms": 500.0, "max_error_rate": 0.01},
    "write": {"p95_ms": 800.0, "max_error_rate": 0.01},
    "ai": {"p95_ms": 2000.0, "max_error_rate": 0.01},
}
BUDGET_KEYS = ("p50_ms", "p95_ms", "p99_ms", "max_error_rate")
DEFAULT_BASELINE = ".gates/timing-baseline.json"
_SECRET_KEY = re.compile(r"pass|secret|token|key|credential|auth|cookie", re.I)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Budget:
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_error_rate: float = 0.01


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    method: str = "GET"
    weight: float = 1.0
    json: Any = None
    body: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    auth: bool = False
    klass: str = "read"
    budget: Budget = Budget()


@dataclass(frozen=True)
class Login:
    path: str
    method: str = "POST"
    json: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str | None = None


@dataclass(frozen=True)
class Options:
    base_url: str
    routes: tuple[Route, ...]
    root: Path
    start: tuple[str, ...] = ()
    ready: str = "/"
    ready_timeout: float = 60.0
    stop_timeout: float = 10.0
    users: int = 25
    spawn_rate: float | None = None
    duration: float = 30.0
    warmup: float = 0.0
    think_time: tuple[float, float] = (0.5, 1.5)
    arrival_rate: float | None = None
    min_requests: int = 200
    processes: int = 1
    timeout: float | None = None
    drain: float = 10.0
    verify: bool = False  # certificates are not checked by default: the gate measures speed
    ca_bundle: Path | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    login: Login | None = None
    baseline: Path | None = None
    update_baseline: bool = False
    baseline_runs: int = 5
    regression_pct: float = 20.0
    regression_ms: float = 25.0
    ramp: tuple[int, ...] = ()
    html: Path | None = None

    @property
    def mode(self) -> str:
        return "open" if self.arrival_rate else "closed"

    @property
    def hard_timeout(self) -> float:
        return self.timeout if self.timeout is not None else self.warmup + self.duration + self.drain + 60.0


def _fail(key: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"[timing] {key}: expected {expected}, got {describe(value)}")


def _number(section: Mapping[str, Any], key: str, default: float | None, *, minimum: float = 0.0,
            integer: bool = False) -> Any:
    value = section.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            raise _fail(key, "an integer" if integer else "a number", value) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise _fail(key, "an integer" if integer else "a number", value)
    if value < minimum or (minimum > 0 and value == 0):
        raise _fail(key, f"a number of at least {minimum:g}" if minimum else "zero or more", value)
    return value


def _duration(section: Mapping[str, Any], key: str, default: float | None) -> Any:
    value = section.get(key)
    if value is None:
        return default
    try:
        return parse_duration(value)
    except ValueError:
        raise _fail(key, "a duration like 30s, 5m or 500ms", value) from None


def parse_think_time(value: Any) -> tuple[float, float]:
    """1 → (1, 1); [0.5, 1.5] or "0.5-1.5" → (0.5, 1.5); durations like "500ms" work too."""
    parts: Sequence[Any]
    if isinstance(value, str) and re.fullmatch(r"\s*[\d.]+\w*\s*(-|\.\.|,)\s*[\d.]+\w*\s*", value):
        parts = re.split(r"-|\.\.|,", value)
    elif isinstance(value, (list, tuple)):
        parts = value
    else:
        parts = [value]
    try:
        seconds = [parse_duration(p.strip() if isinstance(p, str) else p) for p in parts]
    except ValueError:
        raise _fail("think_time", 'seconds, [min, max] or "min-max"', value) from None
    if len(seconds) == 1:
        seconds *= 2
    if len(seconds) != 2 or seconds[0] > seconds[1]:
        raise _fail("think_time", 'seconds, [min, max] or "min-max" with min <= max', value)
    return seconds[0], seconds[1]


def parse_ramp(value: Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else [value]
    try:
        steps = tuple(int(str(item).strip()) for item in items if str(item).strip())
    except ValueError:
        raise _fail("ramp", "user counts like 10,25,50", value) from None
    if not steps or any(step < 1 for step in steps) or list(steps) != sorted(set(steps)):
        raise _fail("ramp", "increasing user counts of 1 or more, like 10,25,50", value)
    return steps


def _budget(table: Mapping[str, Any], base: Mapping[str, float], where: str) -> Budget:
    merged = {**base, **{k: table[k] for k in BUDGET_KEYS if table.get(k) is not None}}
    for key, value in merged.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"[{where}] {key}: expected a number of zero or more, got {describe(value)}")
    if merged.get("max_error_rate", 0) > 1:
        raise ConfigError(f"[{where}] max_error_rate: expected a fraction between 0 and 1 (0.01 = 1%), "
                          f"got {describe(merged['max_error_rate'])}")
    return Budget(**{k: float(v) for k, v in merged.items()})


def _class_budgets(section: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    budgets = {name: dict(values) for name, values in DEFAULT_BUDGETS.items()}
    for name, table in (section.get("budgets") or {}).items():
        if name not in budgets or not isinstance(table, dict):
            raise _fail(f"budgets.{name}", "a table under read, write or ai", table)
        budgets[name].update({k: v for k, v in table.items() if k in BUDGET_KEYS})
    return budgets


def _json_body(where: str, value: Any) -> Any:
    """A TOML value as a JSON body: dates and times become ISO 8601 strings (TOML has them, JSON has not)."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_body(where, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_body(where, v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ConfigError(f"[{where}] json: expected JSON values, got {describe(value)}")


def _route(index: int, raw: Any, budgets: Mapping[str, Mapping[str, float]]) -> Route:
    where = f"timing.routes][{index}"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not isinstance(raw.get("path"), str):
        raise ConfigError(f"[{where}]: expected a table with name and path, got {describe(raw)}")
    method = str(raw.get("method", "GET")).upper()
    klass = raw.get("class") or ("read" if method in _READ_METHODS else "write")
    if klass not in budgets:
        raise ConfigError(f"[{where}] class: expected one of 'read', 'write', 'ai', got {describe(klass)}")
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise ConfigError(f"[{where}] weight: expected a number above 0, got {describe(weight)}")
    if not raw["path"].startswith("/"):
        raise ConfigError(f"[{where}] path: expected a path starting with /, got {describe(raw['path'])}")
    return Route(
        name=raw["name"], path=raw["path"], method=method, weight=float(weight),
        json=_json_body(where, raw.get("json")),
        body=raw.get("body"), headers=dict(raw.get("headers") or {}), auth=bool(raw.get("auth", False)),
        klass=klass, budget=_budget(raw, budgets[klass], where),
    )


def _routes(section: Mapping[str, Any]) -> tuple[Route, ...]:
    raw = section.get("routes") or []
    if not isinstance(raw, list):
        raise _fail("routes", "an array of tables ([[timing.routes]])", raw)
    budgets = _class_budgets(section)
    routes = tuple(_route(index, item, budgets) for index, item in enumerate(raw))
    seen: set[str] = set()
    for route in routes:
        if route.name in seen:
            raise ConfigError(f"[timing.routes] name: {route.name!r} is used by two routes; names must be unique")
        seen.add(route.name)
    return routes


def _login(section: Mapping[str, Any], routes: Sequence[Route], ctx: GateContext) -> Login | None:
    raw = section.get("login")
    if raw is None:
        if any(route.auth for route in routes):
            names = ", ".join(route.name for route in routes if route.auth)
            raise ConfigError(f"[timing] login: routes with auth = true ({names}) need a [timing.login] table")
        return None
    refuse_literal_credentials("timing", ctx)  # credentials come from ${ENV} only
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise _fail("login", "a table with at least path", raw)
    return Login(path=raw["path"], method=str(raw.get("method", "POST")).upper(),
                 json=_json_body("timing.login", raw.get("json")),
                 form=raw.get("form"), headers=dict(raw.get("headers") or {}), token=raw.get("token"))


def _start(value: Any) -> tuple[str, ...]:
    if value is None or value == "" or value == []:
        return ()
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise _fail("start", f"a command line ({exc})", value) from None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail("start", "a command string or an array of strings", value)


def _ramp_up(section: Mapping[str, Any]) -> float:
    """Default warmup: the time users take to start, so the figures measure the full load only."""
    users = _number(section, "users", 25, minimum=1, integer=True)
    spawn_rate = _number(section, "spawn_rate", None, minimum=0.001)
    if not spawn_rate or section.get("arrival_rate"):
        return 0.0
    return float(math.ceil(users / spawn_rate)) if users / spawn_rate > 1 else 0.0


def _path(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise _fail(key, "a path starting with /, like /health", value)
    return value


def _base_url(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _fail("base_url", "a URL like http://127.0.0.1:8000", value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail("base_url", "an http:// or https:// URL", value)
    return value.rstrip("/")


def _ca_bundle(value: Any, root: Path) -> Path | None:
    if value in (None, ""):
        return None
    path = root / value if isinstance(value, str) else None
    if path is None or not path.is_file():
        raise _fail("ca_bundle", "a PEM file of CA certificates", value)
    return path


def from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    base_url, start = section.get("base_url"), _start(section.get("start"))
    if not base_url and not start:
        raise NotConfigured("set [timing] base_url or --base-url (and start to let the gate run the app)")
    if not base_url:
        raise ConfigError("[timing] base_url: required with start: the URL the started app listens on")
    routes = _routes(section)
    if not routes:
        raise ConfigError("[timing] routes: expected at least one [[timing.routes]] table (name, path)")
    regression_pct = _number(section, "regression_pct", None)
    if regression_pct is None:
        fraction = _number(section, "max_regression", 0.2)
        regression_pct = fraction * 100
    arrival = _number(section, "arrival_rate", None)
    if arrival == 0:
        arrival = None
    baseline = section.get("baseline") or DEFAULT_BASELINE
    ca_bundle = _ca_bundle(section.get("ca_bundle"), ctx.root)
    html = section.get("html")
    return Options(
        base_url=_base_url(base_url),
        routes=routes,
        root=ctx.root,
        start=start,
        ready=_path("ready", section.get("ready") or "/"),
        ready_timeout=_duration(section, "ready_timeout", 60.0),
        stop_timeout=_duration(section, "stop_timeout", 10.0),
        users=_number(section, "users", 25, minimum=1, integer=True),
        spawn_rate=_number(section, "spawn_rate", None, minimum=0.001),
        duration=_duration(section, "duration", 30.0),
        warmup=_duration(section, "warmup", _ramp_up(section)),
        think_time=parse_think_time(section["think_time"]) if section.get("think_time") is not None else (0.5, 1.5),
        arrival_rate=arrival,
        min_requests=_number(section, "min_requests", 200, integer=True),
        processes=_number(section, "processes", 1, minimum=1, integer=True),
        timeout=_duration(section, "timeout", None),
        drain=_duration(section, "drain", 10.0),
        verify=bool(section.get("verify", False)) or bool(ca_bundle),
        ca_bundle=ca_bundle,
        headers=dict(section.get("headers") or {}),
        login=_login(section, routes, ctx),
        baseline=(ctx.root / baseline) if baseline else None,
        update_baseline=bool(section.get("update_baseline", False)),
        baseline_runs=_number(section, "baseline_runs", 5, minimum=1, integer=True),
        regression_pct=float(regression_pct),
        regression_ms=float(_number(section, "regression_ms", 25.0)),
        ramp=parse_ramp(section["ramp"]) if section.get("ramp") not in (None, "", []) else (),
        html=Path(html) if html else None,
    )


def secret_values(options: Options) -> frozenset[str]:
    """Values no output may show: login credentials, auth headers, passwords in route bodies."""
    values: set[str] = set()
    tables: list[Any] = [options.headers, *(r.headers for r in options.routes), *(r.json for r in options.routes)]
    if options.login:
        tables += [options.login.json, options.login.form, options.login.headers]
    for table in tables:
        if isinstance(table, Mapping):
            values.update(str(v) for k, v in table.items() if _SECRET_KEY.search(str(k)) and v)
    if options.login:
        from gates.common.http import LoginSpec, login_secrets

        values.update(login_secrets(LoginSpec(path=options.login.path, json=options.login.json,
                                              form=options.login.form)))
    return frozenset(values)
