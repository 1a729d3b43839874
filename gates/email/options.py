"""[email] config (merged with flags) -> Options, validated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gates.common.dns import DEFAULT_TIMEOUT, NameserverError, parse_nameserver
from gates.common.duration import parse_duration
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured
from gates.schema import describe

LEVELS = ("baseline", "strict", "bulk-sender")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\Z")


@dataclass(frozen=True)
class Options:
    domains: tuple[str, ...]
    dkim_selectors: tuple[str, ...] = ()
    policy: str = "baseline"
    nameservers: tuple[str, ...] = ()
    timeout_s: float = DEFAULT_TIMEOUT
    deadline_s: float = 60.0
    require_mta_sts: bool = False
    mta_sts_fetch: bool = True
    mta_sts_port: int = 443
    ca_bundle: str | None = None


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    domains = tuple(_domain(d) for d in _strings(section, "domains"))
    if not domains:
        raise NotConfigured("set [email] domains or pass --domain")
    selectors = _strings(section, "dkim_selectors")
    for selector in selectors:
        if not all(_LABEL.match(label) for label in selector.split(".")):
            raise ConfigError(f"[email] dkim_selectors: expected DNS labels, got {describe(selector)}")
    policy = section.get("policy", "baseline")
    if policy not in LEVELS:
        raise ConfigError(f"[email] policy: expected one of {', '.join(LEVELS)}, got {describe(policy)}")
    nameservers = _strings(section, "nameservers")
    for server in nameservers:
        try:
            parse_nameserver(server)
        except NameserverError as exc:
            raise ConfigError(f"[email] nameservers: {exc}") from None
    timeout, deadline = _duration(section, "timeout", DEFAULT_TIMEOUT), _duration(section, "deadline", 60.0)
    require, fetch = _bool(section, "require_mta_sts", False), _bool(section, "mta_sts_fetch", True)
    port = section.get("mta_sts_port", 443)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"[email] mta_sts_port: expected a port number 1-65535, got {describe(port)}")
    ca_bundle = section.get("ca_bundle")
    if ca_bundle is not None:
        path = Path(ca_bundle) if isinstance(ca_bundle, str) else None
        if path is None or not (path if path.is_absolute() else ctx.root / path).is_file():
            raise ConfigError(f"[email] ca_bundle: expected a PEM file, got {describe(ca_bundle)}")
        ca_bundle = str(path if path.is_absolute() else ctx.root / path)
    return Options(tuple(dict.fromkeys(domains)), tuple(dict.fromkeys(selectors)), policy, nameservers, timeout,
                   deadline, require, fetch, port, ca_bundle)


def _duration(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ConfigError(f"[email] {key}: expected a duration like 3s, got {describe(value)}") from None
    if seconds <= 0:
        raise ConfigError(f"[email] {key}: expected a duration above zero, got {describe(value)}")
    return seconds


def _bool(section: Mapping[str, Any], key: str, default: bool) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"[email] {key}: expected true or false, got {describe(value)}")
    return value


def _strings(section: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = section.get(key, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[email] {key}: expected an array of strings, got {describe(value)}")
    return tuple(v.strip() for v in value if v.strip())


def _domain(text: str) -> str:
    problem = ConfigError(f"[email] domains: expected a domain name like example.com, got {describe(text)}")
    name = text.strip().rstrip(".").lower()
    if not name.isascii():
        from gates.email.idn import a_label

        try:
            name = a_label(name)  # bücher.example -> xn--bcher-kva.example (IDNA 2008)
        except UnicodeError:
            raise problem from None
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or len(name) > 253:
        raise problem
    return name
