"""Cookies: Secure, HttpOnly on session cookies, SameSite, and a Domain scope that reaches the declared
subdomains. Cookie values never leave this module (they are sessions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gates.report import Finding, Severity

_SESSION = re.compile(r"sess|sid|auth|token|jwt|remember", re.I)
# CSRF cookies are meant to be read by the page's script (double-submit): HttpOnly would break them.
_CSRF = re.compile(r"csrf|xsrf", re.I)
# "a=1; Path=/, b=2; Secure": two cookies folded into one Set-Cookie line. Browsers never split it (the
# commas of an Expires date are not followed by NAME=), so b is lost and a gets b's attributes.
_FOLDED = re.compile(r",\s*[^;,\s=]+=")


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)  # lowercased names

    @property
    def shown(self) -> str:
        """The Set-Cookie line without its value."""
        attrs = "".join(f"; {k}={_unfold(v)}" if v else f"; {k}" for k, v in self.attributes.items())
        return f"{self.name}=…{attrs}"

    @property
    def session_like(self) -> bool:
        return bool(_SESSION.search(self.name)) and not self.csrf

    @property
    def csrf(self) -> bool:
        return bool(_CSRF.search(self.name))

    @property
    def deletion(self) -> bool:
        """Max-Age=0 (or negative), or an Expires in the past: the server is removing the cookie."""
        max_age = self.attributes.get("max-age", "")
        if max_age.lstrip("-").isdigit():
            return int(max_age) <= 0
        expires = self.attributes.get("expires")
        if not expires:
            return False
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return False
        import datetime as dt

        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when < dt.datetime.now(dt.timezone.utc)


def _unfold(value: str) -> str:
    """An attribute value up to a folded-in second cookie, whose value must not be shown."""
    match = _FOLDED.search(value)
    return value if match is None else value[: match.start()] + ", …"


def parse(header: str) -> Cookie:
    first, *rest = header.split(";")
    name, _, value = first.partition("=")
    attributes: dict[str, str] = {}
    for part in rest:
        key, _, raw = part.strip().partition("=")
        if key:
            attributes[key.strip().lower()] = raw.strip()
    return Cookie(name.strip(), value.strip(), attributes)


def _matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def findings(cookie: Cookie, set_by: str, serve_hosts: Sequence[str], login: bool) -> list[Finding]:
    """`login`: the cookie came from the login answer, so it is the session whatever its name."""
    if cookie.deletion:  # a logout's "session=; Max-Age=0" carries nothing to protect
        return []
    session = (login or cookie.session_like) and not cookie.csrf
    attrs = cookie.attributes
    out: list[Finding] = _prefix(cookie, f"cookie {cookie.name} set by {set_by}")
    if any(_FOLDED.search(f"{key}={value}" if value else key) for key, value in attrs.items()):
        out.append(Finding("edge.cookie.folded", f"cookie {cookie.name} set by {set_by} shares its Set-Cookie line "
                           "with another cookie: browsers read one cookie and drop the rest", Severity.ERROR,
                           evidence=cookie.shown, fix="send one Set-Cookie header per cookie (never join them "
                           "with commas)"))
    where = f"cookie {cookie.name} set by {set_by}"
    samesite = attrs.get("samesite", "").lower()
    if "secure" not in attrs:
        why = ("browsers reject SameSite=None without Secure" if samesite == "none"
               else "it is also sent over plain http")
        out.append(Finding("edge.cookie.secure", f"{where} lacks Secure: {why}",
                           Severity.ERROR, evidence=cookie.shown, fix="add Secure"))
    if session and "httponly" not in attrs:
        out.append(Finding("edge.cookie.httponly", f"{where} lacks HttpOnly: any injected script can read it",
                           Severity.ERROR, evidence=cookie.shown, fix="add HttpOnly"))
    if session and not samesite:
        out.append(Finding("edge.cookie.samesite", f"{where} has no SameSite attribute", Severity.WARNING,
                           evidence=cookie.shown, fix="add SameSite=Lax (or Strict)"))
    elif samesite and samesite not in ("lax", "strict", "none"):
        out.append(Finding("edge.cookie.samesite", f"{where} has an invalid SameSite={samesite}", Severity.WARNING,
                           evidence=cookie.shown, fix="use SameSite=Lax, Strict or None"))
    if session and not cookie.name.lower().startswith("__host-"):  # __Host- is host-only by design
        out.extend(_scope(cookie, set_by, serve_hosts, where))
    return out


def _prefix(cookie: Cookie, where: str) -> list[Finding]:
    """RFC 6265bis 4.1.3: browsers drop a __Secure- cookie without Secure, and a __Host- cookie without
    Secure, with a Domain, or with a Path other than / — the login silently does not stick."""
    attrs = cookie.attributes
    name = cookie.name.lower()  # browsers match the prefixes case-insensitively
    wrong: list[str] = []
    if name.startswith(("__secure-", "__host-")) and "secure" not in attrs:
        wrong.append("it lacks Secure")
    if name.startswith("__host-"):
        if "domain" in attrs:
            wrong.append("it names a Domain")
        if attrs.get("path") != "/":
            wrong.append("its Path is not /")
    if not wrong:
        return []
    prefix = cookie.name[: cookie.name.index("-") + 1]
    return [Finding("edge.cookie.prefix", f"{where}: browsers reject this {prefix} cookie because "
                    + " and ".join(wrong), Severity.ERROR, evidence=cookie.shown,
                    fix=f"{prefix} cookies need Secure" + ("; Path=/ and no Domain" if prefix.lower() == "__host-"
                                                           else ""))]


def _scope(cookie: Cookie, set_by: str, serve_hosts: Sequence[str], where: str) -> list[Finding]:
    domain = cookie.attributes.get("domain", "").lstrip(".").lower()
    if domain and not _matches(set_by, domain):
        return [Finding("edge.cookie.domain", f"{where} names Domain={domain}, which browsers reject for {set_by}",
                        Severity.ERROR, evidence=cookie.shown, fix="set Domain to the registered domain or drop it")]
    if domain:
        missed = [host for host in serve_hosts if not _matches(host, domain)]
    else:
        missed = [host for host in serve_hosts if host != set_by]
    if not missed:
        return []
    scope = f"Domain={domain}" if domain else "host-only (no Domain)"
    return [Finding("edge.cookie.domain", f"{where} is {scope}, so it is not sent to {', '.join(missed)}",
                    Severity.WARNING, evidence=cookie.shown,
                    fix="set Domain to the parent domain of every host that needs the session")]
