"""Loopback edge for the edge gate's tests and benchmark: virtual hosts, certificates and a DNS zone.

    Site            what each host does: http->https redirect, https serve or redirect, pages, headers
    good_site()     a correct map for example.test (apex canonical, www redirects, app and api serve)
    EdgeServers     one HTTP and one HTTPS uvicorn server on 127.0.0.1 dispatching on Host; the HTTPS
                    server picks the certificate by SNI, so one host can have a wrong or expiring cert
    good_zone()     the zone text for tests/servers/dns_server.DNSServer (www and app are CNAMEs)

Everything listens on 127.0.0.1 with ephemeral ports; nothing leaves the machine.
"""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from starlette.requests import Request
from starlette.responses import Response

from tests.servers.threaded import ThreadedServer, bind

DOMAIN = "example.test"
HSTS = "max-age=63072000; includeSubDomains; preload"
SECURITY_HEADERS = {
    "Strict-Transport-Security": HSTS,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
SESSION_COOKIE = f"session=s3ss10n; Path=/; Domain={DOMAIN}; Secure; HttpOnly; SameSite=Lax"
PAGE = "<!doctype html><html><head><script src='/assets/app.js'></script></head><body>Welcome</body></html>"


@dataclass
class Page:
    status: int = 200
    body: str = PAGE
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    location: str | None = None  # a redirect (path or absolute URL)
    extra_headers: list[tuple[str, str]] = field(default_factory=list)  # sent as well, repeats allowed
    gzip: bool = False  # gzip the body whatever the request accepts (as some CDNs do)


@dataclass
class HostSpec:
    """One virtual host. `http` is what plain http does: "https" (same-host redirect), "serve", or a URL."""

    http: str = "https"
    http_status: int = 301
    redirect_to: str | None = None  # https: redirect every path to this origin
    redirect_status: int = 301
    headers: dict[str, str] = field(default_factory=lambda: dict(SECURITY_HEADERS))
    pages: dict[str, Page] = field(default_factory=dict)


@dataclass
class Site:
    hosts: dict[str, HostSpec]

    def copy(self) -> Site:
        return copy.deepcopy(self)


def good_site(domain: str = DOMAIN) -> Site:
    canonical = f"https://{domain}"
    apex_pages = {
        "/": Page(),
        "/pricing": Page(body="<html><body>Pricing</body></html>"),
        "/pricing-old": Page(status=301, location="/pricing"),
        "/assets/app.js": Page(body="console.log(1)", content_type="text/javascript",
                               headers={"Cache-Control": "public, max-age=31536000, immutable"}),
        "/dashboard": Page(body="<html><body>Dashboard</body></html>",
                           headers={"Cache-Control": "private, no-store"}),
        "/api/login": Page(body='{"ok": true}', content_type="application/json",
                           headers={"Cache-Control": "no-store"}, cookies=[SESSION_COOKIE]),
    }
    return Site({
        domain: HostSpec(pages=apex_pages),
        f"www.{domain}": HostSpec(redirect_to=canonical),
        f"app.{domain}": HostSpec(pages={"/": Page()}),
        f"api.{domain}": HostSpec(pages={"/": Page(body="{}", content_type="application/json")}),
    })


def make_app(site: Site) -> object:
    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)  # type: ignore[arg-type]
        host = (request.headers.get("host") or "").split(":")[0].lower()
        response = _answer(site, host, str(scope["scheme"]), request.url.path, request.url.query)
        await response(scope, receive, send)  # type: ignore[arg-type]

    return app


def _answer(site: Site, host: str, scheme: str, path: str, query: str) -> Response:
    spec = site.hosts.get(host)
    if spec is None:
        return Response("unknown host", status_code=421)
    target = path + (f"?{query}" if query else "")
    if scheme == "http":
        if spec.http == "https":
            return _redirect(f"https://{host}{target}", spec.http_status)
        if spec.http != "serve":
            return _redirect(spec.http.rstrip("/") + target, spec.http_status)
        spec = HostSpec(http="serve", headers={}, pages=spec.pages)
    elif spec.redirect_to:
        return _redirect(spec.redirect_to.rstrip("/") + target, spec.redirect_status, spec.headers)
    page = spec.pages.get(path)
    if page is None:
        return Response("not found", status_code=404, headers=spec.headers)
    headers = {**spec.headers, **page.headers}
    if page.location:
        headers["Location"] = page.location
    body = page.body.encode()
    if page.gzip:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    response = Response(body, status_code=page.status, headers=headers, media_type=page.content_type)
    for cookie in page.cookies:
        response.raw_headers.append((b"set-cookie", cookie.encode()))
    for name, value in page.extra_headers:
        response.raw_headers.append((name.lower().encode(), value.encode()))
    return response


def _redirect(location: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response("", status_code=status, headers={**(headers or {}), "Location": location})


# --- certificates -----------------------------------------------------------------------------------------


@dataclass
class Certs:
    """A trustme CA, its bundle on disk, a default cert for every host, and per-host overrides."""

    ca: trustme.CA
    bundle: Path
    default: trustme.LeafCert
    by_host: dict[str, trustme.LeafCert] = field(default_factory=dict)

    def expiring(self, host: str, days: float) -> None:
        """Give `host` a cert that expires in `days` (negative: already expired)."""
        now = dt.datetime.now(dt.timezone.utc)
        not_after = now + dt.timedelta(days=days)
        not_before = min(now, not_after) - dt.timedelta(days=30)
        self.by_host[host] = self.ca.issue_cert(host, not_before=not_before, not_after=not_after)

    def wrong_name(self, host: str, name: str = "other.invalid") -> None:
        self.by_host[host] = self.ca.issue_cert(name)


def make_certs(directory: Path, hosts: list[str]) -> Certs:
    ca = trustme.CA()
    bundle = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return Certs(ca, bundle, ca.issue_cert(*hosts))


def _context(cert: trustme.LeafCert, minimum: ssl.TLSVersion,
             maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if minimum < ssl.TLSVersion.TLSv1_2:
        # OpenSSL 3 refuses TLS 1.0/1.1 at security level 1+; the "TLS 1.1 accepted" server needs level 0.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = minimum
    if maximum is not None:
        context.maximum_version = maximum
    cert.configure_cert(context)
    return context


def server_context(certs: Certs, minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
                   maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    default = _context(certs.default, minimum, maximum)
    per_host = {host: _context(cert, minimum, maximum) for host, cert in certs.by_host.items()}

    def pick(sslobj: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: ssl.SSLContext) -> None:
        if name and name.lower() in per_host:
            sslobj.context = per_host[name.lower()]

    default.sni_callback = pick  # type: ignore[assignment]
    return default


# --- servers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    http: int
    https: int


@contextmanager
def edge_servers(site: Site, certs: Certs, minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
                 maximum: ssl.TLSVersion | None = None) -> Iterator[Ports]:
    app = make_app(site)
    servers = [ThreadedServer(app, bind(), name="edge http server")]
    try:
        servers.append(ThreadedServer(app, bind(), name="edge https server",
                                      context=server_context(certs, minimum, maximum)))
        yield Ports(servers[0].port, servers[1].port)
    finally:
        for server in servers:  # both asked first, then waited for: they shut down side by side
            server.stop()
        for server in servers:
            server.join()


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    sock = bind()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


# --- DNS --------------------------------------------------------------------------------------------------


def good_zone(domain: str = DOMAIN, extra: str = "") -> str:
    return f"""
{domain}. 60 IN A 127.0.0.1
{domain}. 60 IN CAA 0 issue "letsencrypt.org"
www.{domain}. 60 IN CNAME {domain}.
app.{domain}. 60 IN CNAME edge.{domain}.
edge.{domain}. 60 IN A 127.0.0.1
api.{domain}. 60 IN A 127.0.0.1
{extra}
"""
