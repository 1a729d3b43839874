"""HSTS (RFC 6797) on HTTPS answers, preload eligibility, and the usual security headers (warnings)."""

from __future__ import annotations

from gates.edge.network import Answer
from gates.report import Finding, Severity

ONE_YEAR = 31_536_000
PRELOAD_FIX = "Strict-Transport-Security: max-age=63072000; includeSubDomains; preload"


def split_directives(value: str, separator: str = ";") -> list[tuple[str, str]]:
    """(name lowercased, value without quotes) in order; a separator inside a quoted value does not split
    (Cache-Control: private="Set-Cookie, Authorization")."""
    parts, current, quoted = [], "", False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    pairs = []
    for part in parts:
        name, _, raw = part.strip().partition("=")
        if name.strip():
            pairs.append((name.strip().lower(), raw.strip().strip('"')))
    return pairs


def parse_directives(value: str, separator: str = ";") -> dict[str, str]:
    """Directive names (lowercased) -> values without quotes; the first occurrence wins."""
    directives: dict[str, str] = {}
    for name, raw in split_directives(value, separator):
        directives.setdefault(name, raw)
    return directives


def hsts_findings(answer: Answer, host: str, apex: bool) -> list[Finding]:
    values = answer.headers.get_list("strict-transport-security")
    if not values:
        return [Finding("edge.hsts.missing", f"https://{host}/ sends no Strict-Transport-Security header",
                        Severity.ERROR, evidence=f"{answer.url} [{answer.status}]", fix=PRELOAD_FIX)]
    # RFC 6797 8.1: a browser acts on the first header only (a CDN and the app both adding one is common).
    value = values[0]
    pairs = split_directives(value)
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:  # RFC 6797 6.1: a directive given twice makes the whole header invalid
        return [Finding("edge.hsts.invalid", f"the HSTS header of {host} repeats {', '.join(repeated)}: browsers "
                        "ignore it", Severity.ERROR, evidence=value, fix=PRELOAD_FIX)]
    directives = dict(pairs)
    raw_max_age = directives.get("max-age", "")
    if not raw_max_age.isdigit():
        return [Finding("edge.hsts.invalid", f"the HSTS header of {host} has no valid max-age", Severity.ERROR,
                        evidence=value, fix=PRELOAD_FIX)]
    max_age = int(raw_max_age)
    if max_age <= 0:
        return [Finding("edge.hsts.invalid", f"HSTS max-age={max_age} on {host} switches HSTS off", Severity.ERROR,
                        evidence=value, fix=PRELOAD_FIX)]
    findings: list[Finding] = []
    if len(values) > 1:
        findings.append(Finding("edge.hsts.multiple", f"https://{host}/ sends {len(values)} HSTS headers; "
                                "browsers use only the first", Severity.WARNING, evidence=" | ".join(values),
                                fix="send one Strict-Transport-Security header (from the CDN or the app, not both)"))
    if max_age < ONE_YEAR:
        findings.append(Finding("edge.hsts.short-max-age", f"HSTS max-age on {host} is {max_age}s (< 1 year)",
                                Severity.WARNING, evidence=value, fix=PRELOAD_FIX))
    subdomains = "includesubdomains" in directives
    if apex and not subdomains:
        findings.append(Finding("edge.hsts.no-subdomains", f"the HSTS header of {host} lacks includeSubDomains",
                                Severity.WARNING, evidence=value,
                                fix="add includeSubDomains once every subdomain serves https"))
    if apex:
        ready = max_age >= ONE_YEAR and subdomains and "preload" in directives
        findings.append(Finding("edge.hsts.preload",
                                f"{host} is {'' if ready else 'not '}eligible for the HSTS preload list",
                                Severity.INFO, evidence=value, fix=None if ready else PRELOAD_FIX))
    return findings


def security_header_findings(answer: Answer, host: str) -> list[Finding]:
    headers = answer.headers
    csp = headers.get("content-security-policy", "")
    shown = f"{answer.url} [{answer.status}]"
    findings: list[Finding] = []
    if headers.get("x-content-type-options", "").strip().lower() != "nosniff":
        findings.append(Finding("edge.headers.nosniff", f"{host} does not send X-Content-Type-Options: nosniff",
                                Severity.WARNING, evidence=shown, fix="X-Content-Type-Options: nosniff"))
    if "frame-ancestors" not in csp.lower() and not headers.get("x-frame-options"):
        findings.append(Finding("edge.headers.framing", f"{host} can be framed by any site (clickjacking)",
                                Severity.WARNING, evidence=shown,
                                fix="Content-Security-Policy: frame-ancestors 'self' (or X-Frame-Options: DENY)"))
    if not headers.get("referrer-policy"):
        findings.append(Finding("edge.headers.referrer-policy", f"{host} sends no Referrer-Policy",
                                Severity.WARNING, evidence=shown,
                                fix="Referrer-Policy: strict-origin-when-cross-origin"))
    if not csp:
        findings.append(Finding("edge.headers.csp", f"{host} sends no Content-Security-Policy", Severity.WARNING,
                                evidence=shown, fix="start with Content-Security-Policy: default-src 'self'"))
    return findings
