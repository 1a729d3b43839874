"""The edge gate's options: the declared domain map, validated, plus how to reach it (--resolve, --nameserver)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from gates.common.duration import parse_duration
from gates.common.login_config import login_from_config
from gates.errors import ConfigError, NotConfigured

if TYPE_CHECKING:  # gates.common.http imports httpx: loaded only when the gate runs
    from gates.common.http import LoginSpec
    from gates.context import GateContext

SERVE = "serve"
REDIRECT = "redirect"
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Options:
    domain: str
    canonical: str  # scheme://host[:port], no path
    hosts: Mapping[str, str]  # every host checked -> serve | redirect (canonical and apex included)
    legacy_redirects: Mapping[str, str] = field(default_factory=dict)
    public_paths: tuple[str, ...] = ()
    private_paths: tuple[str, ...] = ()
    min_cert_days: int = 14
    resolve: Mapping[tuple[str, int], str] = field(default_factory=dict)  # (host, port) -> address
    nameservers: tuple[str, ...] = ()  # IP:PORT
    ca_bundle: Path | None = None
    timeout: float = 10.0
    http_port: int = 80
    https_port: int = 443
    login: LoginSpec | None = None  # the shared login shape; sent through the gate's own network map
    secrets: frozenset[str] = frozenset()

    @property
    def canonical_host(self) -> str:
        return urlsplit(self.canonical).hostname or ""


def _fail(key: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"[edge] {key}: expected {expected}, got {value!r}")


def _host(value: Any, key: str) -> str:
    """Lowercased, without a final dot, and IDNA (xn--) encoded: the form Location headers, certificates and
    DNS answers carry, so every comparison sees one spelling."""
    from gates.common.http import host_key

    if not isinstance(value, str):
        raise _fail(key, "a host name like www.example.com", value)
    try:
        name = host_key(value)
    except ConfigError:
        name = ""
    if not _HOST.match(name):
        raise _fail(key, "a host name like www.example.com", value)
    return name


def _url(key: str, value: str) -> str:
    from gates.common.http import url_problem

    problem = url_problem(value)
    if problem is not None:
        raise _fail(key, f"a path starting with / or a full http(s) URL ({problem})", value)
    return value


def parse_resolve(entries: Any) -> dict[tuple[str, int], str]:
    from gates.common.http import parse_resolve as parse

    try:
        return parse(str(entry) for entry in entries or ())
    except ConfigError as exc:
        raise ConfigError(f"[edge] resolve: {exc}") from None


def parse_nameservers(entries: Any) -> tuple[str, ...]:
    from gates.common.dns import NameserverError, parse_nameserver

    servers: list[str] = []
    for entry in entries or ():
        try:
            servers.append(str(parse_nameserver(str(entry))))
        except NameserverError as exc:
            raise ConfigError(f"[edge] nameservers: {exc} (IPv6 as [::1]:53)") from None
    return tuple(servers)


def _canonical(value: Any) -> str:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        port_number = parts.port if parts is not None else None
    except ValueError:  # [::1 or a port out of range
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise _fail("canonical", "an https origin like https://example.com", value)
    host = _host(parts.hostname, "canonical")
    port = f":{port_number}" if port_number and port_number != 443 else ""
    return f"{parts.scheme}://{host}{port}"


def _paths(section: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = section.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise _fail(key, "an array of paths", values)
    for value in values:
        if not value.startswith(("/", "https://", "http://")):
            raise _fail(key, "a path starting with / or a full URL", value)
        _url(key, value)
    return tuple(dict.fromkeys(values))  # each path once: check names stay unique


def _port(section: Mapping[str, Any], key: str, default: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise _fail(key, "a port between 1 and 65535", value)
    return value


def from_section(section: Mapping[str, Any], root: Path | None = None, ctx: GateContext | None = None) -> Options:
    """`root`: where relative paths in the config (ca_bundle) are read from; default the working directory.
    `ctx`: the run's context, for the check that login credentials come from the environment."""
    domain_raw, canonical_raw = section.get("domain"), section.get("canonical")
    if not domain_raw or not canonical_raw:
        raise NotConfigured("set [edge] domain and canonical (or --domain and --canonical)")
    domain = _host(domain_raw, "domain")
    canonical = _canonical(canonical_raw)
    canonical_host = urlsplit(canonical).hostname or ""
    if canonical_host != domain and not canonical_host.endswith("." + domain):
        raise _fail("canonical", f"an origin on {domain}", canonical_raw)
    hosts: dict[str, str] = {}
    for name, role in (section.get("hosts") or {}).items():
        if role not in (SERVE, REDIRECT):
            raise _fail(f"hosts.{name}", "serve or redirect", role)
        hosts[_host(name, f"hosts.{name}")] = role
    if hosts.get(canonical_host, SERVE) != SERVE:
        raise _fail(f"hosts.{canonical_host}", "serve (it is the canonical host)", hosts[canonical_host])
    # The canonical host serves; an undeclared apex is expected to send visitors to the canonical host.
    everything = {canonical_host: SERVE, **({domain: REDIRECT} if domain != canonical_host else {}), **hosts}
    legacy = section.get("legacy_redirects") or {}
    for old, new in legacy.items():
        if not str(old).startswith("/"):
            raise _fail("legacy_redirects", "old paths starting with /", old)
        _url(f"legacy_redirects.{old}", str(old))
        if not str(new).startswith(("/", "http://", "https://")):
            raise _fail(f"legacy_redirects.{old}", "a new path starting with / or a full URL", new)
        _url(f"legacy_redirects.{old}", str(new))
    min_days = section.get("min_cert_days", 14)
    if isinstance(min_days, bool) or not isinstance(min_days, int) or min_days < 0:
        raise _fail("min_cert_days", "a number of days (0 or more)", min_days)
    try:
        timeout = parse_duration(section.get("timeout", 10))
    except ValueError:
        raise _fail("timeout", "a duration like 10s", section.get("timeout")) from None
    ca_bundle = Path(section["ca_bundle"]).expanduser() if section.get("ca_bundle") else None
    if ca_bundle is not None and root is not None and not ca_bundle.is_absolute() and (root / ca_bundle).is_file():
        ca_bundle = root / ca_bundle  # a config path; a --ca-bundle flag relative to the working directory also works
    if ca_bundle is not None and not ca_bundle.is_file():
        raise ConfigError(f"[edge] ca_bundle: file not found: {ca_bundle}")
    if ca_bundle is not None:
        from gates.common.http import ClientSettings, ssl_context

        try:
            ssl_context(ClientSettings(ca_bundle=str(ca_bundle)))
        except ConfigError as exc:
            raise ConfigError(f"[edge] ca_bundle: {exc}") from None
    login, secrets = login_from_config("edge", section.get("login"), ctx)
    return Options(
        domain=domain,
        canonical=canonical,
        hosts=everything,
        legacy_redirects={str(k): str(v) for k, v in legacy.items()},
        public_paths=_paths(section, "public_paths"),
        private_paths=_paths(section, "private_paths"),
        min_cert_days=min_days,
        resolve=parse_resolve(section.get("resolve")),
        nameservers=parse_nameservers(section.get("nameservers")),
        ca_bundle=ca_bundle,
        timeout=max(timeout, 0.1),
        http_port=_port(section, "http_port", 80),
        https_port=_port(section, "https_port", 443),
        login=login,
        secrets=frozenset(secrets),
    )
