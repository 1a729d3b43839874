"""The httpx client: --resolve, --connect-to, a dial rule, CA bundle, cookies kept or not."""

from __future__ import annotations

import ssl
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookiePolicy
from pathlib import Path

import httpcore
import httpx

from gates.errors import ConfigError

DEFAULT_TIMEOUT = 10.0
FAILURE_KINDS = ("dns", "connect", "tls", "timeout", "protocol")

Resolve = Mapping[tuple[str, int], str]
Dial = Callable[[str, int], tuple[str, int]]  # (host, port) in the URL -> (address or host, port) to connect to


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = ""
    resolve: tuple[str, ...] = ()
    ca_bundle: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    follow_redirects: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    verify: bool = True
    max_connections: int = 20
    connect_to: tuple[str, ...] = ()  # curl's HOST1:PORT1:HOST2:PORT2
    dial: Dial | None = None  # consulted for hosts that neither connect_to nor resolve name
    keep_cookies: bool = True  # False: the client never stores a cookie (every request says only what it is given)


def _fields(entry: str, count: int) -> list[str] | None:
    """Split on ':' outside [brackets] (IPv6 literals); None unless there are exactly `count` fields."""
    fields, current, depth = [], "", 0
    for char in entry:
        if char == ":" and depth == 0:
            fields.append(current)
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    fields.append(current)
    if depth != 0:
        return None
    if len(fields) > count and count == 3:
        # An unbracketed IPv6 ADDR (app.test:443:::1) keeps its colons, as curl does.
        fields = [*fields[:2], ":".join(fields[2:])]
    return fields if len(fields) == count else None


def host_key(host: str) -> str:
    """A host name as connections see it: lowercased, IDNA (xn--) encoded, without brackets or a final dot."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name.isascii():
        return name
    import idna  # httpx's own IDNA codec, so the key matches the name httpx dials

    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ConfigError(f"{host!r} is not a valid internationalised host name ({exc})") from None


def _port(option: str, entry: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"{option} {entry!r}: expected a port number between 1 and 65535, got {text!r}")
    return int(text)


def _address(option: str, entry: str, text: str) -> str:
    """curl accepts a comma-separated list of addresses; the first one is dialled."""
    import ipaddress

    addresses = [part.strip().strip("[]") for part in text.split(",")]
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ConfigError(
                f"{option} {entry!r}: ADDR must be an IP address like 203.0.113.7 or [2001:db8::7], got {address!r}"
                " (to dial another host name, use connect_to HOST1:PORT1:HOST2:PORT2)"
            ) from None
    return addresses[0]


def parse_resolve(entries: Iterable[str]) -> dict[tuple[str, int], str]:
    """curl's HOST:PORT:ADDR; HOST and ADDR may be bracketed IPv6 literals; ADDR must be an IP address."""
    mapping: dict[tuple[str, int], str] = {}
    for entry in entries:
        parts = _fields(str(entry), 3)
        if parts is None or not parts[0].strip() or not parts[2].strip():
            raise ConfigError(f"--resolve {entry!r}: expected HOST:PORT:ADDR, e.g. app.example.com:443:203.0.113.7")
        host, port_text, addr = parts
        port = _port("--resolve", entry, port_text)
        mapping[(host_key(host), port)] = _address("--resolve", entry, addr)
    return mapping


def parse_connect_to(entries: Iterable[str]) -> dict[tuple[str, int], tuple[str, int]]:
    """curl's HOST1:PORT1:HOST2:PORT2: connections for HOST1:PORT1 go to HOST2:PORT2. HOST2 or PORT2 may be
    empty (keep the original); HOST1 and PORT1 are required here (curl's match-anything form is not offered)."""
    mapping: dict[tuple[str, int], tuple[str, int]] = {}
    for entry in entries:
        parts = _fields(str(entry), 4)
        if parts is None or not parts[0].strip() or not (parts[2].strip() or parts[3].strip()):
            raise ConfigError(
                f"--connect-to {entry!r}: expected HOST1:PORT1:HOST2:PORT2, e.g. example.com:443:127.0.0.1:8443"
            )
        host, port_text, target, target_port = parts
        port = _port("--connect-to", entry, port_text)
        new_port = _port("--connect-to", entry, target_port) if target_port else port
        new_host = host_key(target) if target.strip() else host_key(host)
        mapping[(host_key(host), port)] = (new_host, new_port)
    return mapping


def dialer(settings: ClientSettings) -> Dial | None:
    """Where a connection to (host, port) really goes: connect_to first, then resolve, then `dial`.
    None when nothing is rerouted (the client then dials as httpx always does)."""
    pinned = parse_resolve(settings.resolve)
    moved = parse_connect_to(settings.connect_to)
    fallback = settings.dial
    if not pinned and not moved and fallback is None:
        return None

    def dial(host: str, port: int) -> tuple[str, int]:
        key = (host_key(host), port)
        key = moved.get(key, key)
        if key in pinned:
            return pinned[key], key[1]
        if fallback is not None:
            return fallback(*key)
        return key

    return dial


def ssl_context(settings: ClientSettings) -> ssl.SSLContext | bool:
    if not settings.verify:
        return False
    if settings.ca_bundle is None:
        return True
    path = Path(settings.ca_bundle)
    if not path.is_file():
        raise ConfigError(f"--ca-bundle {settings.ca_bundle}: no such file")
    try:
        return ssl.create_default_context(cafile=str(path))
    except ssl.SSLError as exc:
        raise ConfigError(f"--ca-bundle {settings.ca_bundle}: not a PEM certificate bundle ({exc})") from None


class _DialingBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, dial: Dial) -> None:
        self._inner = inner
        self._dial = dial

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addr, real_port = self._dial(host, port)
        return self._inner.connect_tcp(addr, real_port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncDialingBackend(httpcore.AsyncNetworkBackend):
    """`dial` runs in the event loop: it must not block (the parsed rules are dictionary look-ups)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, dial: Dial) -> None:
        self._inner = inner
        self._dial = dial

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addr, real_port = self._dial(host, port)
        return await self._inner.connect_tcp(addr, real_port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _NoCookies(CookiePolicy):
    """keep_cookies=False: the jar accepts nothing, so no answer's cookie rides along on a later request."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Cookie, request: typing.Any) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: typing.Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: typing.Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: typing.Any) -> bool:
        return False


def _limits(settings: ClientSettings) -> httpx.Limits:
    return httpx.Limits(max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections)


def _client_kwargs(settings: ClientSettings) -> dict[str, typing.Any]:
    return {
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "follow_redirects": settings.follow_redirects,
        "headers": dict(settings.headers),
    }


def _forget_cookies(cookies: httpx.Cookies, settings: ClientSettings) -> None:
    if not settings.keep_cookies:
        cookies.jar.set_policy(_NoCookies())


def _dial_through(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, backend: typing.Any,
                  settings: ClientSettings) -> None:
    """Swap the address at connect time (--resolve, --connect-to, a dial rule) for this transport's pool."""
    dial = dialer(settings)
    if dial is not None:
        # httpx transports take no network backend argument; the pool they build does.
        pool = transport._pool
        pool._network_backend = backend(pool._network_backend, dial)


def build_client(settings: ClientSettings) -> httpx.Client:
    transport = httpx.HTTPTransport(verify=ssl_context(settings), limits=_limits(settings))
    _dial_through(transport, _DialingBackend, settings)
    client = httpx.Client(transport=transport, **_client_kwargs(settings))
    _forget_cookies(client.cookies, settings)
    return client


def build_async_client(settings: ClientSettings) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(verify=ssl_context(settings), limits=_limits(settings))
    _dial_through(transport, _AsyncDialingBackend, settings)
    client = httpx.AsyncClient(transport=transport, **_client_kwargs(settings))
    _forget_cookies(client.cookies, settings)
    return client


