"""Why a request failed, in the words a release engineer uses: dns, connect, tls, timeout, protocol."""

from __future__ import annotations

import os
import socket
import ssl
from dataclasses import dataclass

import httpx


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


