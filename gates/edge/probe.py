"""What one host answers: its TLS handshake, the chain from http://host/ and the chain from https://host/.

Probes only gather; the checks in `gates.edge.hostchecks` judge. A part that could not be reached keeps
its reason, so that part becomes a check that could not be evaluated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from gates.edge import redirects, tls
from gates.edge.network import Fetcher, Network, Unreachable


@dataclass(frozen=True)
class HostProbe:
    host: str
    role: str
    tls: tls.TlsProbe | None
    tls_error: str | None
    http: redirects.Chain | None
    http_error: str | None
    https: redirects.Chain | None
    https_error: str | None
    tls_s: float
    http_s: float


def probe_host(host: str, role: str, network: Network, fetcher: Fetcher, ca_bundle: Path | None) -> HostProbe:
    started = time.monotonic()
    tls_result, tls_error = None, None
    try:
        tls_result = tls.probe(network, host, ca_bundle)
    except Unreachable as exc:
        tls_error = str(exc)
    tls_s = time.monotonic() - started
    started = time.monotonic()
    http, http_error = _chain(fetcher, f"http://{host}/")
    https, https_error = _chain(fetcher, f"https://{host}/")
    return HostProbe(host, role, tls_result, tls_error, http, http_error, https, https_error, tls_s,
                     time.monotonic() - started)


def _chain(fetcher: Fetcher, url: str) -> tuple[redirects.Chain | None, str | None]:
    try:
        return redirects.follow(fetcher, url), None
    except Unreachable as exc:
        return None, str(exc)
