"""TLS per host: chain valid against the CA bundle (or the system store), name matches, days to expiry,
and TLS 1.0/1.1 refused. The certificate is read even when verification fails, to say why."""

from __future__ import annotations

import datetime as dt
import functools
import ssl
import warnings
from dataclasses import dataclass
from pathlib import Path

from gates.edge.network import Network, Unreachable, client_context
from gates.report import Finding, Severity

HARD_MIN_DAYS = 7


@dataclass(frozen=True)
class TlsProbe:
    host: str
    version: str | None  # negotiated with a modern client
    verify_error: str | None  # None: chain and name verified
    not_after: dt.datetime | None
    names: tuple[str, ...]
    issuer: str
    legacy: str | None  # "TLSv1.1"/"TLSv1" when the server accepts it; None when refused
    legacy_probed: bool

    def days_left(self, now: dt.datetime) -> float | None:
        return None if self.not_after is None else (self.not_after - now).total_seconds() / 86400


def _handshake(network: Network, host: str, context: ssl.SSLContext) -> tuple[str | None, bytes | None]:
    sock = network.connect(host, 443)
    try:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.version(), tls.getpeercert(binary_form=True)
    finally:
        sock.close()


@functools.lru_cache(maxsize=1)
def legacy_context() -> ssl.SSLContext | None:
    """A client offering only TLS 1.0/1.1, or None when this OpenSSL cannot speak them at all.
    Built once, before probes start in threads: catch_warnings is not thread-safe."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, ssl.SSLError):
            return None
    return context


def probe(network: Network, host: str, ca_bundle: Path | None) -> TlsProbe:
    """Unreachable when there is no TLS server to talk to at all."""
    verify_error: str | None = None
    context = legacy_context()
    try:
        version, der = _handshake(network, host, client_context(ca_bundle))
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc.verify_message or str(exc)
        try:
            version, der = _handshake(network, host, client_context(None, verify=False))
        except (ssl.SSLError, OSError) as again:
            raise Unreachable(f"TLS handshake with {host} failed: {again}") from None
    except (ssl.SSLError, ConnectionError, TimeoutError) as exc:
        # A server that only speaks TLS 1.0/1.1 fails a modern handshake: that is a finding, not a mystery.
        legacy = _try(network, host, context)
        if legacy is None:
            raise Unreachable(f"TLS handshake with {host} failed: {exc}") from None
        not_after, names, issuer = _read_cert(legacy[1])
        return TlsProbe(host, legacy[0], None, not_after, names, issuer, legacy[0], True)
    not_after, names, issuer = _read_cert(der)
    legacy = _try(network, host, context)
    return TlsProbe(host, version, verify_error, not_after, names, issuer, legacy[0] if legacy else None,
                    context is not None)


def _try(network: Network, host: str, context: ssl.SSLContext | None) -> tuple[str | None, bytes | None] | None:
    if context is None:
        return None
    try:
        return _handshake(network, host, context)
    except (ssl.SSLError, ConnectionError, TimeoutError):
        return None


def _read_cert(der: bytes | None) -> tuple[dt.datetime | None, tuple[str, ...], str]:
    if not der:
        return None, (), ""
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:  # a certificate cryptography cannot parse: say so rather than fail the run
        return None, (), "(certificate could not be parsed)"
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName))
    except (x509.ExtensionNotFound, ValueError):  # ValueError: a malformed extension
        names = ()
    return cert.not_valid_after_utc, names, cert.issuer.rfc4514_string()


def findings(result: TlsProbe, min_days: int, now: dt.datetime) -> list[Finding]:
    host = result.host
    out: list[Finding] = []
    names = ", ".join(result.names) or "no DNS names"
    error = result.verify_error or ""
    if error and "hostname mismatch" in error.lower():
        out.append(Finding("edge.tls.hostname", f"the certificate served for {host} is not valid for it",
                           Severity.ERROR, evidence=f"certificate names: {names}",
                           fix=f"issue a certificate that includes {host} (or a matching wildcard)"))
    elif error and "expired" not in error.lower():
        out.append(Finding("edge.tls.untrusted", f"the certificate chain of {host} does not verify: {error}",
                           Severity.ERROR, evidence=f"issuer: {result.issuer}",
                           fix="serve the full chain (leaf + intermediates) from a publicly trusted CA"))
    days = result.days_left(now)
    if days is not None and result.not_after is not None:
        expiry = result.not_after.strftime("%Y-%m-%d %H:%M UTC")
        if days < 0:
            out.append(Finding("edge.tls.expired", f"the certificate of {host} expired {-days:.0f} days ago",
                               Severity.ERROR, evidence=f"not after {expiry}",
                               fix="renew it now and check that automatic renewal runs"))
        elif days < HARD_MIN_DAYS:
            out.append(Finding("edge.tls.expiring", f"the certificate of {host} expires in {days:.1f} days",
                               Severity.ERROR, evidence=f"not after {expiry}",
                               fix="renew it before launch and check that automatic renewal runs"))
        elif days < min_days:
            out.append(Finding("edge.tls.expiring",
                               f"the certificate of {host} expires in {days:.0f} days (< {min_days})",
                               Severity.WARNING, evidence=f"not after {expiry}", fix="renew it soon"))
    if result.version in ("TLSv1", "TLSv1.1", "SSLv3"):
        out.append(Finding("edge.tls.legacy-protocol", f"{host} only speaks {result.version}: no TLS 1.2+ handshake",
                           Severity.ERROR, fix="enable TLS 1.2 and 1.3 and set the minimum version to 1.2"))
    elif result.legacy:
        out.append(Finding("edge.tls.legacy-protocol", f"{host} accepts {result.legacy} (deprecated, RFC 8996)",
                           Severity.ERROR, evidence=f"handshake completed with {result.legacy}",
                           fix="set the minimum TLS version to 1.2 on the server or CDN"))
    elif not result.legacy_probed:
        out.append(Finding("edge.tls.legacy-protocol",
                           "this machine's OpenSSL cannot offer TLS 1.0/1.1, so refusing them was not tested",
                           Severity.INFO))
    return out
