"""A loopback world for the edge gate: a dnslib zone, HTTP+HTTPS virtual hosts, trustme certificates."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.servers.dns_server import DNSServer
from tests.servers.edge_app import DOMAIN, Certs, Site, edge_servers, good_site, good_zone, make_certs

HOSTS = {f"www.{DOMAIN}": "redirect", f"app.{DOMAIN}": "serve", f"api.{DOMAIN}": "serve"}


def section_for(nameserver: str, certs: Certs, http_port: int, https_port: int, **extra: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "domain": DOMAIN,
        "canonical": f"https://{DOMAIN}",
        "hosts": dict(HOSTS),
        "legacy_redirects": {"/pricing-old": "/pricing"},
        "public_paths": ["/assets/app.js"],
        "private_paths": ["/dashboard"],
        "nameservers": [nameserver],
        "ca_bundle": str(certs.bundle),
        "http_port": http_port,
        "https_port": https_port,
        "timeout": "3s",
        "login": {"path": "/api/login", "json": {"email": "demo@example.test", "password": "not-a-secret"}},
    }
    section.update(extra)
    return section


World = Callable[..., Any]


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    return make_certs(tmp_path, list(good_site().hosts) + [f"old.{DOMAIN}"])


@pytest.fixture
def world(certs: Certs) -> Iterator[World]:
    """world(site=None, zone_extra="", minimum=TLS 1.2, **section overrides) -> the [edge] section."""
    with ExitStack() as stack:

        def start(site: Site | None = None, zone_extra: str = "",
                  minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2, maximum: ssl.TLSVersion | None = None,
                  **extra: Any) -> dict[str, Any]:
            nameserver = stack.enter_context(DNSServer(good_zone(extra=zone_extra))).nameserver
            ports = stack.enter_context(edge_servers(site or good_site(), certs, minimum, maximum))
            return section_for(nameserver, certs, ports.http, ports.https, **extra)

        yield start

