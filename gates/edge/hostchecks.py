"""Judge one host's probe: redirects, TLS, HSTS, security headers (each one Check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from gates.edge import headers, redirects, tls
from gates.edge.options import SERVE, Options
from gates.edge.probe import HostProbe
from gates.report import Check, Finding, Severity, Status, judge


def _evaluated(name: str, group: str, duration: float, findings: list[Finding], message: str = "",
               **properties: int | float | str) -> Check:
    return Check(name, judge(findings), duration, tuple(findings), properties, group=group,
                 message="" if any(f.severity.rank > 1 for f in findings) else message)


def redirect_check(probe: HostProbe, options: Options) -> Check:
    name = f"redirects {probe.host}"
    if probe.http is None or probe.https is None:
        reason = probe.http_error or probe.https_error or "no answer"
        return Check(name, Status.ERROR, probe.http_s, group="redirect", message=reason)
    findings = redirects.http_first_hop(probe.host, probe.http)
    findings += redirects.chain_findings(probe.http, f"http://{probe.host}/")
    seen = {f.rule for f in findings}
    role = (redirects.serve_findings(probe.host, probe.https) if probe.role == SERVE
            else redirects.redirect_findings(probe.host, options.canonical, probe.https))
    role += redirects.chain_findings(probe.https, f"https://{probe.host}/")
    findings += [f for f in role if f.rule not in seen]
    if probe.role == SERVE and probe.host != options.canonical_host and 400 <= probe.https.final.status < 500:
        findings = [_api_root(f) if f.rule == "edge.redirect.broken-landing" else f for f in findings]
    return _evaluated(name, "redirect", probe.http_s, findings, probe.http.shown(), hops=probe.http.hops)


def _api_root(finding: Finding) -> Finding:
    """An API host answering 401/404 at / is normal; the canonical site doing it is not (that stays an error)."""
    return replace(finding, severity=Severity.WARNING,
                   message=finding.message + " (fine for an API host with nothing at /)",
                   fix="serve a page at / (or ignore this for an API host)")


def tls_check(probe: HostProbe, options: Options, now: dt.datetime) -> Check:
    name = f"tls {probe.host}"
    if probe.tls is None:
        return Check(name, Status.ERROR, probe.tls_s, group="tls", message=probe.tls_error or "no TLS answer")
    findings = tls.findings(probe.tls, options.min_cert_days, now)
    days = probe.tls.days_left(now)
    properties: dict[str, int | float | str] = {"version": probe.tls.version or "?"}
    if days is not None:
        properties["days_left"] = round(days, 1)
    message = f"{probe.tls.version}, certificate valid {days:.0f} more days" if days is not None else ""
    return _evaluated(name, "tls", probe.tls_s, findings, message, **properties)


def hsts_check(probe: HostProbe, options: Options) -> Check:
    name = f"hsts {probe.host}"
    if probe.https is None:
        return Check(name, Status.ERROR, 0.0, group="headers", message=probe.https_error or "no https answer")
    first = probe.https.answers[0]
    findings = headers.hsts_findings(first, probe.host, apex=probe.host == options.domain)
    return _evaluated(name, "headers", 0.0, findings, first.headers.get("strict-transport-security", ""))


def security_headers_check(probe: HostProbe) -> Check | None:
    """On the page a serve host lands on, when it is HTML."""
    if probe.https is None or probe.role != SERVE:
        return None
    final = probe.https.final
    if not final.is_html or final.status >= 400:
        return None
    return _evaluated(f"security headers {probe.host}", "headers", 0.0,
                      headers.security_header_findings(final, probe.host))
