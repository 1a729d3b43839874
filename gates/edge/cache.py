"""Cache rules: public paths cacheable at the edge, private paths never stored by shared caches, and no
cacheable answer that sets a cookie (a CDN would hand one visitor's cookie to the next)."""

from __future__ import annotations

from gates.edge.headers import parse_directives
from gates.edge.network import Answer
from gates.report import Finding, Severity

# RFC 9111 4.2.2: only these may be stored without explicit freshness (a 302 to /login may not).
HEURISTIC = frozenset({200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})
HIT_HEADERS = ("x-cache", "cf-cache-status", "x-vercel-cache", "x-cache-status", "cdn-cache")
# Cache-Control meant for CDNs only (RFC 9213 and vendors'): it overrides Cache-Control at the edge.
CDN_CONTROLS = ("CDN-Cache-Control", "Surrogate-Control", "Vercel-CDN-Cache-Control", "Cloudflare-CDN-Cache-Control")


def directives(answer: Answer) -> dict[str, str]:
    return parse_directives(", ".join(answer.headers.get_list("cache-control")), separator=",")


def _positive(value: str | None) -> bool:
    try:
        return value is not None and int(value) > 0
    except ValueError:
        return False


def kept_from_shared_caches(cc: dict[str, str]) -> bool:
    """no-store, or an unqualified private. A qualified private="Set-Cookie" (RFC 9111 5.2.2.7) only keeps
    those fields out: the rest of the answer may still be stored by a CDN."""
    return "no-store" in cc or ("private" in cc and not cc["private"])


def shared_cacheable(answer: Answer) -> bool:
    """Whether a shared cache (CDN, proxy) may store this answer."""
    cc = directives(answer)
    if kept_from_shared_caches(cc):
        return False
    return "public" in cc or _positive(cc.get("s-maxage")) or _positive(cc.get("max-age"))


def _cdn_stored(answer: Answer) -> str | None:
    """The CDN-only control that lets the edge store this answer (e.g. CDN-Cache-Control: max-age=600)."""
    for name in CDN_CONTROLS:
        value = ", ".join(answer.headers.get_list(name))
        if not value:
            continue
        cc = parse_directives(value, separator=",")
        if not kept_from_shared_caches(cc) and ("public" in cc or _positive(cc.get("s-maxage"))
                                                 or _positive(cc.get("max-age"))):
            return f"{name}: {value}"
    return None


def _cdn_hit(answer: Answer) -> bool:
    return any("hit" in answer.headers.get(name, "").lower() for name in HIT_HEADERS)


def public_findings(path: str, answer: Answer) -> list[Finding]:
    shown = f"{answer.url} [{answer.status}] Cache-Control: {answer.headers.get('cache-control', '(none)')}"
    if answer.status >= 400:
        return [Finding("edge.cache.public-broken", f"public path {path} answers {answer.status}", Severity.ERROR,
                        evidence=shown, fix=f"deploy {path} or remove it from [edge] public_paths")]
    if shared_cacheable(answer) or _cdn_hit(answer) or _cdn_stored(answer):
        return []
    return [Finding("edge.cache.public-not-cacheable", f"public path {path} is not cacheable at the edge",
                    Severity.WARNING, evidence=shown,
                    fix="Cache-Control: public, max-age=31536000, immutable (for fingerprinted assets)")]


def private_findings(path: str, answer: Answer) -> list[Finding]:
    cc = directives(answer)
    shown = f"{answer.url} [{answer.status}] Cache-Control: {answer.headers.get('cache-control', '(none)')}"
    fix = "Cache-Control: private, no-store"
    cdn = _cdn_stored(answer)
    if cdn:
        return [Finding("edge.cache.private-public", f"private path {path} is stored by the CDN ({cdn.split(':')[0]} "
                        "overrides Cache-Control at the edge)", Severity.ERROR, evidence=f"{shown}; {cdn}",
                        fix=f"drop {cdn.split(':')[0]} on authenticated answers (or set it to no-store)")]
    if kept_from_shared_caches(cc):  # no-store and an unqualified private win over public and s-maxage
        return []
    if "public" in cc or "s-maxage" in cc:
        return [Finding("edge.cache.private-public", f"private path {path} may be stored by shared caches",
                        Severity.ERROR, evidence=shown, fix=fix)]
    explicit = "max-age" in cc or "expires" in answer.headers
    if explicit or answer.status in HEURISTIC:
        return [Finding("edge.cache.private-unmarked",
                        f"private path {path} does not say private or no-store, so a CDN may cache it",
                        Severity.ERROR, evidence=shown, fix=fix)]
    return []


def cookie_findings(answer: Answer) -> list[Finding]:
    """A cacheable answer that sets a cookie."""
    cookies = answer.headers.get_list("set-cookie")
    if not cookies or not shared_cacheable(answer):
        return []
    cc = directives(answer)
    hidden = {name.strip().lower() for name in cc.get("private", "").split(",") + cc.get("no-cache", "").split(",")}
    if "set-cookie" in hidden:  # private="Set-Cookie": the CDN stores the page without the cookie
        return []
    names = ", ".join(sorted({c.split("=", 1)[0].strip() for c in cookies}))
    return [Finding("edge.cache.cookie-on-cacheable",
                    f"{answer.url} is cacheable by shared caches and sets cookies ({names})", Severity.ERROR,
                    evidence=f"Cache-Control: {answer.headers.get('cache-control', '')}",
                    fix="send Cache-Control: private, no-store on answers that set cookies")]
