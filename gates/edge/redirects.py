"""Redirect chains: http -> https on the same host first (301/308), then non-canonical -> canonical in one
hop, at most 3 hops, no loops, no hop down to http, legacy paths landing where declared."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from gates.edge.network import Answer, Fetcher
from gates.report import Finding, Severity

MAX_HOPS = 3
FOLLOW_LIMIT = 10  # how far a chain is walked to tell "too long" from "a loop"
PERMANENT = (301, 308)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Chain:
    answers: tuple[Answer, ...]
    loop: bool = False
    unfinished: bool = False  # stopped at FOLLOW_LIMIT

    @property
    def hops(self) -> int:
        return len(self.answers) - 1 + (1 if self.loop or self.unfinished else 0)

    @property
    def final(self) -> Answer:
        return self.answers[-1]

    def shown(self) -> str:
        parts = [f"{answer.url} [{answer.status}]" for answer in self.answers]
        if self.loop and self.final.location:
            parts.append(f"{self.final.location} (again)")
        return " -> ".join(parts)


def follow(fetcher: Fetcher, url: str) -> Chain:
    """Walk redirects from `url`; Unreachable propagates (the check cannot be evaluated)."""
    answers: list[Answer] = []
    seen: set[str] = set()
    current = url
    while len(answers) < FOLLOW_LIMIT:
        seen.add(_key(current))
        answer = fetcher.request(current)
        answers.append(answer)
        nxt = answer.location
        if nxt is None:
            return Chain(tuple(answers))
        if _key(nxt) in seen:
            return Chain(tuple(answers), loop=True)
        current = nxt
    return Chain(tuple(answers), unfinished=True)


def _key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.netloc or '').lower()}{parts.path or '/'}?{parts.query}"


def hostname(url: str) -> str:
    """The URL's host as connections see it (lowercase, xn--): a Location may carry raw Unicode or capitals."""
    from gates.common.http import host_key
    from gates.errors import ConfigError

    name = urlsplit(url).hostname or ""
    try:
        return host_key(name)
    except ConfigError:  # not a valid IDN: compare it as written
        return name.lower()


def origin(url: str) -> str:
    parts = urlsplit(url)
    try:
        number = parts.port
    except ValueError:
        number = None
    port = f":{number}" if number and number not in (80, 443) else ""
    return f"{parts.scheme}://{hostname(url)}{port}"


def chain_findings(chain: Chain, start: str) -> list[Finding]:
    """What is wrong with any chain: loops, length, downgrades, a broken landing."""
    findings: list[Finding] = []
    shown = chain.shown()
    if chain.loop:
        findings.append(Finding("edge.redirect.loop", f"redirect loop: {shown}", Severity.ERROR,
                                evidence=shown, fix="make every redirect point at a URL that answers 200"))
    elif chain.unfinished or chain.hops > MAX_HOPS:
        findings.append(Finding(
            "edge.redirect.too-many-hops", f"{chain.hops} redirects (at most {MAX_HOPS}): {shown}",
            Severity.ERROR, evidence=shown, fix="redirect straight to the final URL",
        ))
    for before, after in zip(chain.answers, chain.answers[1:], strict=False):
        if before.url.startswith("https://") and after.url.startswith("http://"):
            findings.append(Finding(
                "edge.redirect.downgrade", f"{before.url} redirects down to plain http", Severity.ERROR,
                evidence=shown, fix=f"redirect to {after.url.replace('http://', 'https://', 1)} instead",
            ))
    final = chain.final
    if not chain.loop and not chain.unfinished and final.status in REDIRECTS and final.location is None:
        location = final.headers.get("location")
        findings.append(Finding(
            "edge.redirect.no-location",
            f"{final.url} answers {final.status} " + (f"with an unusable Location {location!r}" if location
                                                      else "without a Location header"),
            Severity.ERROR, evidence=shown, fix="send Location with the absolute https:// URL to go to",
        ))
    if not chain.loop and not chain.unfinished and chain.final.status >= 400:
        findings.append(Finding(
            "edge.redirect.broken-landing", f"{start} lands on {chain.final.url} answering {chain.final.status}",
            Severity.ERROR, evidence=shown, fix="make the final URL answer 200",
        ))
    return findings


def http_first_hop(host: str, chain: Chain) -> list[Finding]:
    """http://host/ must first go to https://host/ with 301 or 308."""
    first = chain.answers[0]
    target = first.location
    expected = f"https://{host}/"
    if target is None:
        return [Finding("edge.redirect.http-not-redirected",
                        f"http://{host}/ answers {first.status} instead of redirecting to https",
                        Severity.ERROR, evidence=chain.shown(),
                        fix=f"answer every http:// request on {host} with 301 to the same URL on https://")]
    findings: list[Finding] = []
    parts = urlsplit(target)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme != "https" or hostname(target) != host or port not in (None, 443):
        findings.append(Finding(
            "edge.redirect.http-not-same-host",
            f"http://{host}/ redirects to {target}; the first hop must be https://{host}/ (HSTS preload order)",
            Severity.ERROR, evidence=chain.shown(), fix=f"redirect http://{host}/ to {expected} first",
        ))
    if first.status not in PERMANENT:
        findings.append(Finding(
            "edge.redirect.temporary", f"http://{host}/ redirects with {first.status}, not 301/308",
            Severity.WARNING, evidence=chain.shown(), fix="use a permanent redirect (301 or 308)",
        ))
    return findings


def serve_findings(host: str, chain: Chain) -> list[Finding]:
    """A serve host answers itself over https (its own redirects, e.g. to /login, are fine)."""
    if chain.loop or chain.unfinished:
        return []
    landed = hostname(chain.final.url)
    if landed != host:
        return [Finding("edge.redirect.not-serving", f"https://{host}/ is declared serve but lands on {landed}",
                        Severity.ERROR, evidence=chain.shown(),
                        fix=f"serve the site on {host}, or declare it redirect in [edge] hosts")]
    return []


def redirect_findings(host: str, canonical: str, chain: Chain) -> list[Finding]:
    """A redirect host sends https://host/ to the canonical origin in one permanent hop."""
    first = chain.answers[0]
    if first.location is None:
        return [Finding("edge.redirect.not-canonical",
                        f"https://{host}/ answers {first.status} itself instead of redirecting to {canonical}",
                        Severity.ERROR, evidence=chain.shown(),
                        fix=f"redirect every URL on {host} to the same path on {canonical} with 301")]
    findings: list[Finding] = []
    if origin(first.location) != canonical:
        landed = origin(chain.final.url)
        rule, severity = ("edge.redirect.indirect", Severity.WARNING) if landed == canonical else (
            "edge.redirect.not-canonical", Severity.ERROR)
        findings.append(Finding(rule, f"https://{host}/ goes to {first.location}, not straight to {canonical}",
                                severity, evidence=chain.shown(),
                                fix=f"redirect {host} to {canonical} in one hop"))
    if first.status not in PERMANENT:
        findings.append(Finding("edge.redirect.temporary", f"https://{host}/ redirects with {first.status}",
                                Severity.WARNING, evidence=chain.shown(), fix="use 301 or 308"))
    return findings


def legacy_findings(old: str, expected: str, chain: Chain) -> list[Finding]:
    findings: list[Finding] = []
    if chain.loop or chain.unfinished:
        return findings
    if _key(chain.final.url) != _key(expected):
        findings.append(Finding(
            "edge.redirect.legacy-target", f"{old} lands on {chain.final.url}, declared {expected}",
            Severity.ERROR, evidence=chain.shown(), fix=f"redirect {old} to {expected} with 301",
        ))
    elif chain.answers[0].status not in PERMANENT:
        findings.append(Finding("edge.redirect.temporary", f"{old} redirects with {chain.answers[0].status}",
                                Severity.WARNING, evidence=chain.shown(), fix="use 301 or 308 for moved pages"))
    return findings
