"""[ai] config (merged with flags) -> Options, validated, with the attacks loaded and the secrets known."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from gates.ai.cases import Case, check_unique, load_builtin, load_team_cases
from gates.common.duration import parse_duration
from gates.common.login_config import login_from_config
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured

if TYPE_CHECKING:  # gates.common.http imports httpx: loaded only when the gate runs
    from gates.common.http import LoginSpec

DEFAULT_REQUEST: dict[str, Any] = {"messages": [{"role": "user", "content": "{prompt}"}]}
PLACEHOLDER = "{prompt}"
MIN_CANARY = 6


@dataclass(frozen=True)
class Options:
    url: str
    cases: tuple[Case, ...]
    attack_set_version: str = ""
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)
    request: Any = field(default_factory=lambda: DEFAULT_REQUEST)
    answer: str | None = None
    stream: str = "auto"
    login: LoginSpec | None = None
    canaries: tuple[str, ...] = ()
    system_prompt: str = ""
    system_prompt_words: int = 8
    allowed_domains: tuple[str, ...] = ()
    forbidden_tools: tuple[str, ...] = ()
    p95_ms: float | None = None
    max_error_rate: float | None = None
    max_requests: int = 60
    concurrency: int = 8
    timeout_s: float = 30.0
    ca_bundle: str | None = None
    resolve: tuple[str, ...] = ()
    secrets: frozenset[str] = frozenset()


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    url = _url(section, ctx)
    if url is None:
        raise NotConfigured("set [ai] url (or base_url and path), or pass --url")
    cases, version = _cases(section, ctx.root)
    canaries = tuple(c for c in _strings(section, "canaries") if c)
    short = [c for c in canaries if len(c) < MIN_CANARY]
    if short:
        raise ConfigError(f"[ai] canaries: expected strings of {MIN_CANARY} characters or more (short ones match "
                          f"ordinary words), got one of {len(short[0])}")
    login, login_secrets = _login(section, ctx, url)
    return Options(
        url=url,
        cases=cases,
        attack_set_version=version,
        method=_str(section, "method", "POST").upper(),
        headers=dict(section.get("headers") or {}),
        request=_template(section.get("request", DEFAULT_REQUEST)),
        answer=section.get("answer") or None,
        stream=_str(section, "stream", "auto"),
        login=login,
        canaries=canaries,
        system_prompt=_system_prompt(section, ctx.root),
        system_prompt_words=_int(section, "system_prompt_words", 8, minimum=4),
        allowed_domains=tuple(_domain(d) for d in _strings(section, "allowed_domains")) or (_domain(url),),
        forbidden_tools=_strings(section, "forbidden_tools"),
        p95_ms=_number(section, "p95_ms"),
        max_error_rate=_rate(section, "max_error_rate"),
        max_requests=_int(section, "max_requests", 60, minimum=1),
        concurrency=_int(section, "concurrency", 8, minimum=1),
        timeout_s=_duration(section, "timeout", 30.0),
        ca_bundle=section.get("ca_bundle") or None,
        resolve=_resolve(section),
        secrets=frozenset(canaries) | login_secrets,
    )


def _url(section: Mapping[str, Any], ctx: GateContext) -> str | None:
    url = section.get("url")
    if not url:
        path = section.get("path")
        base = section.get("base_url") or (ctx.config.data.get("smoke", {}).get("base_url") if path else None)
        if not base or not path:
            if section.get("base_url"):
                raise ConfigError("[ai] path: expected the chat route (e.g. /api/chat) with base_url, got nothing")
            return None
        url = urljoin(str(base).rstrip("/") + "/", str(path).lstrip("/"))
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(f"[ai] url: expected an http(s) URL, got {url!r}")
    return url


def _domain(value: str) -> str:
    """example.com from "example.com", ".example.com", "https://example.com/path" or "example.com:8443"."""
    value = value.strip().lower()
    host = urlsplit(value if "://" in value else f"//{value}").hostname or value
    # www.example.com allows example.com and its other subdomains: apps link their own apex and docs hosts.
    host = host.lstrip(".").rstrip(".")
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host


def attack_list(section: Mapping[str, Any], root: Path) -> tuple[tuple[Case, ...], str]:
    """The attacks a run would send (team cases first), and the built-in set's version: for `--list`."""
    return _cases(section, root)


def _cases(section: Mapping[str, Any], root: Path) -> tuple[tuple[Case, ...], str]:
    team: tuple[Case, ...] = ()
    if section.get("cases"):
        path = Path(str(section["cases"]))
        team = load_team_cases(path if path.is_absolute() else root / path, str(section["cases"]))
    builtin = load_builtin()
    chosen = builtin.cases if section.get("builtin", True) else ()
    categories = _strings(section, "categories")
    if categories:
        known = sorted({case.category for case in builtin.cases})
        unknown = [c for c in categories if c not in known]
        if unknown:
            raise ConfigError(f"[ai] categories: unknown category {unknown[0]!r} (known: {', '.join(known)})")
        chosen = tuple(case for case in chosen if case.category in categories)
    cases = (*team, *chosen)  # the team's own attacks first: they matter most when max_requests cuts the run
    if not cases:
        raise ConfigError("[ai] builtin: expected at least one attack (builtin = false needs a cases file)")
    check_unique(cases)
    return cases, builtin.version


def _template(value: Any) -> Any:
    if not _has_placeholder(value):
        raise ConfigError(f"[ai] request: expected a JSON template with {PLACEHOLDER} somewhere, got "
                          f"{json.dumps(value)[:80]}")
    return value


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return PLACEHOLDER in value
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    return False


def _login(section: Mapping[str, Any], ctx: GateContext, url: str) -> tuple[LoginSpec | None, frozenset[str]]:
    if not section.get("auth"):
        return None, frozenset()
    table, secrets, gate = section.get("login"), frozenset[str](), "ai"
    if not table:
        # Sign in as the smoke gate does: the same [smoke.login] table (its ${VARS} read from the environment).
        smoke = ctx.config.section("smoke")
        table, secrets, gate = smoke.data.get("login"), smoke.secrets, "smoke"
    if not isinstance(table, dict) or not (table.get("path") or table.get("url")):
        raise ConfigError("[ai] auth: expected a [ai.login] (or [smoke.login]) table with a path, got none")
    # A relative login path is relative to the chat endpoint's URL, which may sit on another origin.
    target = table.get("url") or urljoin(url, str(table["path"]))
    spec, sent = login_from_config(gate, {**table, "path": target, "method": table.get("method", "POST")}, ctx)
    return spec, secrets | sent


def _resolve(section: Mapping[str, Any]) -> tuple[str, ...]:
    from gates.common.http import parse_resolve

    entries = _strings(section, "resolve")
    parse_resolve(entries)  # raises ConfigError naming the bad entry
    return entries


def _system_prompt(section: Mapping[str, Any], root: Path) -> str:
    name = section.get("system_prompt_file")
    if not name:
        return ""
    path = Path(str(name))
    try:
        return (path if path.is_absolute() else root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"[ai] system_prompt_file: cannot read {name}: {why}") from None


def _str(section: Mapping[str, Any], key: str, default: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"[ai] {key}: expected a string, got {value!r}")
    return value


def _strings(section: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = section.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[ai] {key}: expected an array of strings, got {value!r}")
    return tuple(value)


def _int(section: Mapping[str, Any], key: str, default: int, minimum: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"[ai] {key}: expected an integer of {minimum} or more, got {value!r}")
    return value


def _number(section: Mapping[str, Any], key: str) -> float | None:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"[ai] {key}: expected a positive number, got {value!r}")
    return float(value)


def _rate(section: Mapping[str, Any], key: str) -> float | None:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"[ai] {key}: expected a share between 0 and 1 (0.05 = 5%), got {value!r}")
    return float(value)


def _duration(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key)
    if value is None:
        return default
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ConfigError(f"[ai] {key}: expected a duration like 30s or 500ms, got {value!r}") from None
    if seconds <= 0:
        raise ConfigError(f"[ai] {key}: expected a duration above zero, got {value!r}")
    return seconds
