"""Where the gate's own connections go, and one HTTP request without following redirects.

One world for DNS and HTTP: with --nameserver, a host connects to the addresses that server gave;
--resolve HOST:PORT:ADDR pins single hosts; otherwise the operating system resolves. http_port and
https_port map the standard ports 80/443 to where a loopback rehearsal listens. The HTTP goes through
the shared client (gates.common.http) with `Network.target` as its dial rule; the TLS server name stays
the URL's host, so SNI and certificates are those of the real name.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx

MAX_BODY = 1_000_000
USER_AGENT = "launch-gates-edge/1 (+pre-deploy check)"


class Unreachable(Exception):
    """No connection, no TLS handshake or no HTTP answer: the check cannot be evaluated."""


@dataclass(frozen=True)
class Network:
    pinned: Mapping[tuple[str, int], str] = field(default_factory=dict)
    addresses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lookup: Callable[[str], tuple[str, ...]] | None = None  # the --nameserver resolver, for other hosts
    http_port: int = 80
    https_port: int = 443
    timeout: float = 10.0

    def target(self, host: str, port: int) -> tuple[str, int]:
        """The (address, port) a connection to host:port really goes to."""
        host = host.lower().rstrip(".")
        real_port = {80: self.http_port, 443: self.https_port}.get(port, port)
        if (host, port) in self.pinned:
            return self.pinned[(host, port)], real_port
        addresses = self.addresses.get(host)
        if addresses is None and self.lookup is not None:
            addresses = self.lookup(host)
        if addresses is not None:
            if not addresses:
                raise Unreachable(f"{host} does not resolve")
            return addresses[0], real_port
        return host, real_port

    def connect(self, host: str, port: int) -> socket.socket:
        address, real_port = self.target(host, port)
        try:
            return socket.create_connection((address, real_port), timeout=self.timeout)
        except OSError as exc:
            raise Unreachable(f"cannot connect to {host}:{port} ({address}:{real_port}): {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__


def client_context(ca_bundle: Path | None, verify: bool = True) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class Answer:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""

    @property
    def location(self) -> str | None:
        """The redirect target, absolute, or None when this is not a redirect."""
        value = self.headers.get("location")
        if not value or not 300 <= self.status < 400:
            return None
        try:
            target = str(urljoin(self.url, value.strip()))
        except ValueError:  # an unparseable Location ends the chain where it is
            return None
        return target if target.startswith(("http://", "https://")) else None

    @property
    def is_html(self) -> bool:
        return "html" in self.headers.get("content-type", "")

    def text(self) -> str:
        """The body in its declared charset (UTF-8 when none is declared or it is unknown)."""
        from gates.common.http import decode_body

        return decode_body(self.body, self.headers.get("content-type"))


class Fetcher:
    """GET/POST one URL at a time through the network map. Certificates are the TLS checks' business:
    requests here do not verify them, so a bad certificate on one host does not hide its headers. No
    cookie is kept between requests (each check sends exactly the cookies it means to), bodies are
    decompressed (gzip, br) and read up to MAX_BODY bytes."""

    def __init__(self, network: Network) -> None:
        from gates.common.http import ClientSettings, build_client

        self.network = network
        self.client = build_client(ClientSettings(
            timeout=network.timeout, verify=False, dial=network.target, keep_cookies=False,
            headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"},
        ))

    def request(self, url: str, method: str = "GET", body: bytes = b"",
                headers: Mapping[str, str] | None = None) -> Answer:
        from gates.common.http import classify

        # Each read has the timeout; the body as a whole gets it too, so an answer that trickles in forever
        # (an event stream, a stuck proxy) is judged on what came, instead of holding the gate.
        deadline = time.monotonic() + self.network.timeout
        try:
            with self.client.stream(method, url, content=body or None, headers=dict(headers or {})) as response:
                data = bytearray()
                try:
                    for chunk in response.iter_bytes():
                        data += chunk
                        if len(data) >= MAX_BODY or time.monotonic() > deadline:
                            break
                except httpx.DecodingError:
                    pass  # "Content-Encoding: gzip" on a body that is not: the status and headers still count
        except httpx.HTTPError as exc:
            raise Unreachable(f"{method} {url}: {classify(exc).message}") from None
        except (httpx.InvalidURL, ValueError) as exc:  # a URL httpx cannot even build (a Location like http://[::1)
            raise Unreachable(f"{method} {url}: {exc}") from None
        return Answer(url, response.status_code, response.headers, bytes(data[:MAX_BODY]))

    def close(self) -> None:
        self.client.close()
