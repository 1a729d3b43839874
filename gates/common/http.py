"""The HTTP client every web-facing gate uses (smoke, timing, edge, ai), written once.

Stable API:

    ClientSettings(base_url, resolve, ca_bundle, timeout, follow_redirects, headers, verify, max_connections,
                   connect_to, dial, keep_cookies)
    build_client(settings) -> httpx.Client            build_async_client(settings) -> httpx.AsyncClient
    parse_resolve(["HOST:PORT:ADDR", ...]) -> {(host, port): addr}     (raises ConfigError)
    parse_connect_to(["HOST1:PORT1:HOST2:PORT2", ...]) -> {(host, port): (host2, port2)}   (raises ConfigError)
    dialer(settings) -> Dial | None                   where a connection to (host, port) really goes
    host_key(host) -> str                            a host as connections see it (lowercase, xn--, no dot)
    url_problem(url), header_problem(name, value) -> str | None       config checks before any request
    HTTP_TOKEN                                       RFC 9110 token (methods, header names)
    decode_body(body, content_type) -> str           in the declared charset, never raising
    LoginSpec(path, method, json, form, headers, token, status)
    login(client, spec) -> Session                   await async_login(client, spec) -> Session
    Session.headers (send with authenticated requests), Session.secrets (for Report.secrets)
    credential_values(body) -> {str}                 values under password/token/key... keys of a login body
    classify(exc) -> Failure(kind, message, retryable)   kinds: dns, connect, tls, timeout, protocol
    dotted_get(data, "a.b.0.c") -> value               (raises LookupError)

`--resolve` works like curl's: the TCP connection goes to ADDR while the URL, the Host header, TLS SNI and
certificate verification keep using HOST, so a new origin can be checked before DNS points at it.
`connect_to` is curl's --connect-to: a logical HOST1:PORT1 is dialled at HOST2:PORT2 (either half may be
left empty to keep it), e.g. a rehearsal that serves https://example.com on 127.0.0.1:8443. As in curl, a
connect-to rule applies first and --resolve then pins the name it leads to. `dial` is the programmatic
form, consulted for whatever neither rule names (the edge gate's DNS-server world). It is all done with an
httpcore network backend that swaps the address at connect time, the one place that knows the host being
dialled. Host names are compared as the wire carries them: lowercased, IDNA (xn--) encoded, no final dot.

Login sessions are kept apart from the client: `login()` captures the cookies set by the login response
(or a bearer token from a JSON field) and clears the client's jar, so only requests that ask for the
session's headers are authenticated.
"""

from __future__ import annotations

import codecs
import os
import re
import socket
import ssl
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookiePolicy
from pathlib import Path
from typing import Any

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


def build_client(settings: ClientSettings) -> httpx.Client:
    transport = httpx.HTTPTransport(verify=ssl_context(settings), limits=_limits(settings))
    dial = dialer(settings)
    if dial is not None:
        # httpx transports take no network backend argument; the pool they build does.
        pool = transport._pool
        pool._network_backend = _DialingBackend(pool._network_backend, dial)
    client = httpx.Client(transport=transport, **_client_kwargs(settings))
    _forget_cookies(client.cookies, settings)
    return client


def build_async_client(settings: ClientSettings) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(verify=ssl_context(settings), limits=_limits(settings))
    dial = dialer(settings)
    if dial is not None:
        pool = transport._pool
        pool._network_backend = _AsyncDialingBackend(pool._network_backend, dial)
    client = httpx.AsyncClient(transport=transport, **_client_kwargs(settings))
    _forget_cookies(client.cookies, settings)
    return client


# ---------------------------------------------------------------------------------------------- config values

HTTP_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token: methods and header names


def url_problem(url: str) -> str | None:
    """Why httpx could not request this URL or path (None when it can): checked when config is read, so a
    bad URL is a config error instead of a traceback halfway through a run."""
    from urllib.parse import urlsplit

    try:
        httpx.URL(url)
        parts = urlsplit(url)
        port = parts.port  # httpx accepts :99999 and fails only when it connects
    except (httpx.InvalidURL, ValueError) as exc:
        return str(exc)
    if url.startswith(("http:", "https:")) and (not parts.hostname or port == 0):
        return "no host" if not parts.hostname else "port 0"
    return None


_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._:-]+)", re.I)


def decode_body(body: bytes, content_type: str | None) -> str:
    """A body in its declared charset; UTF-8 when none is declared or Python does not know it. Never raises."""
    match = _CHARSET.search(content_type or "")
    encoding = "utf-8"
    if match:
        try:
            encoding = codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return body.decode(encoding, "replace")


def header_problem(name: str, value: str) -> str | None:
    if not HTTP_TOKEN.fullmatch(name):
        return f"{name!r} is not a header name"
    if any(char in value for char in "\r\n\0"):
        return f"the value of {name} spans lines"
    return None


# ---------------------------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class Failure:
    kind: str  # one of FAILURE_KINDS
    message: str  # one line, names the kind: "TLS: certificate verify failed ..."
    retryable: bool  # a connection reset or refused connection may be a blip during a deploy


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, its causes, and the members of any exception group among them (anyio raises those)."""
    chain: list[BaseException] = []
    pending: list[BaseException] = [exc]
    while pending and len(chain) < 20:
        current = pending.pop(0)
        if current in chain:
            continue
        chain.append(current)
        members = getattr(current, "exceptions", None)  # an exception group (3.11+, or the backport)
        if isinstance(members, tuple | list):
            pending.extend(m for m in members if isinstance(m, BaseException))
        cause = current.__cause__ or current.__context__
        if cause is not None:
            pending.append(cause)
    return chain


def _detail(exc: BaseException, chain: list[BaseException]) -> str:
    """The most specific words: "Connection refused" rather than anyio's "All connection attempts failed"."""
    for cause in chain:
        if isinstance(cause, ssl.SSLError | socket.gaierror) or not isinstance(cause, OSError):
            continue
        if isinstance(cause.errno, int) and cause.errno > 0:
            return f"{os.strerror(cause.errno)} [Errno {cause.errno}]"
        if cause.strerror:
            return cause.strerror
    return str(exc).strip() or type(exc).__name__


def classify(exc: BaseException) -> Failure:
    """Tell a request failure apart: DNS, connect, TLS, timeout or protocol."""
    chain = _causes(exc)
    detail = _detail(exc, chain)
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the response",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "")
        return Failure("timeout", f"timeout{' ' + phase if phase else ''}: {detail}", True)
    if any(isinstance(c, ssl.SSLError | ssl.CertificateError) for c in chain) or "SSL" in detail or (
        "CERTIFICATE" in detail
    ):
        return Failure("tls", f"TLS: {detail}", False)
    if any(isinstance(c, socket.gaierror) for c in chain) or _looks_like_dns(detail):
        return Failure("dns", f"DNS: the name did not resolve ({detail})", False)
    if isinstance(exc, httpx.TooManyRedirects):
        return Failure("protocol", f"protocol: {detail}", False)
    if isinstance(exc, httpx.ConnectError | httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        if isinstance(exc, httpx.RemoteProtocolError) and "disconnected" not in detail.lower():
            return Failure("protocol", f"protocol: {detail}", False)
        return Failure("connect", f"connect: {detail}", True)
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError | httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Failure("protocol", f"protocol: {detail}", False)
    if isinstance(exc, OSError):
        return Failure("connect", f"connect: {detail}", True)
    return Failure("protocol", f"protocol: {type(exc).__name__}: {detail}", False)


def _looks_like_dns(detail: str) -> bool:
    lowered = detail.lower()
    return any(
        marker in lowered
        for marker in ("name or service not known", "nodename nor servname", "temporary failure in name resolution",
                       "no address associated", "getaddrinfo failed")
    )


# ---------------------------------------------------------------------------------------------- login


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


# ---------------------------------------------------------------------------------------------- JSON paths


def dotted_get(data: Any, path: str) -> Any:
    """`a.b.0.c`: keys into objects, integer indexes into arrays. Raises LookupError naming the missing part."""
    node = data
    walked: list[str] = []
    for part in path.split(".") if path else []:
        if isinstance(node, Mapping):
            if part not in node:
                raise LookupError(f"no key {part!r} at {'.'.join(walked) or 'the top level'}")
            node = node[part]
        elif isinstance(node, list):
            if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                raise LookupError(f"no index {part!r} in the array at {'.'.join(walked) or 'the top level'}")
            node = node[int(part)]
        else:
            raise LookupError(f"{'.'.join(walked) or 'the top level'} is not an object or array")
        walked.append(part)
    return node
