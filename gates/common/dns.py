"""One DNS resolver for the gates that read DNS (email, edge), built on dnspython.

Every lookup returns a `Lookup` that tells apart the outcomes the gates must not confuse:

    ANSWER    records were found
    NXDOMAIN  the name does not exist           (a "void" lookup for SPF)
    NODATA    the name exists, not this type    (also "void" for SPF)
    SERVFAIL  the server failed or refused      (could not check: never "missing")
    TIMEOUT   no answer in time                 (could not check: never "missing")

`Resolver(nameservers=["127.0.0.1:5353"])` asks those servers; with none it reads the system
configuration. Truncated UDP answers are retried over TCP by dnspython itself.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT = 3.0


class Outcome(str, enum.Enum):
    ANSWER = "answer"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    SERVFAIL = "servfail"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class MX:
    preference: int
    host: str  # without the trailing dot; "" for the null MX target "."


@dataclass(frozen=True)
class Lookup:
    name: str
    rdtype: str
    outcome: Outcome
    records: tuple[str, ...] = ()  # TXT strings joined; A/AAAA addresses; names without trailing dot
    mx: tuple[MX, ...] = ()
    cnames: tuple[str, ...] = ()  # the CNAME chain followed from `name`, in order
    detail: str = ""  # why it failed, for messages

    @property
    def found(self) -> bool:
        return self.outcome is Outcome.ANSWER

    @property
    def void(self) -> bool:
        """The name has no such record (NXDOMAIN or NODATA): RFC 7208 section 4.6.4."""
        return self.outcome in (Outcome.NXDOMAIN, Outcome.NODATA)

    @property
    def failed(self) -> bool:
        """The lookup could not be completed: the caller cannot tell what is published."""
        return self.outcome in (Outcome.SERVFAIL, Outcome.TIMEOUT)

    def describe(self) -> str:
        text = f"{self.rdtype} {self.name}: {self.outcome.value}"
        return f"{text} ({self.detail})" if self.detail else text


class NameserverError(ValueError):
    """A --nameserver value that is not IP[:PORT]."""


class NoSystemResolver(RuntimeError):
    """No --nameserver given and the system has no resolver configuration (no /etc/resolv.conf)."""


@dataclass(frozen=True)
class Nameserver:
    address: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """`1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`."""
    value = text.strip()
    address, port_text = value, ""
    if value.startswith("["):
        close = value.find("]")
        if close < 0:
            raise NameserverError(f"expected IP[:PORT], got {text!r}")
        address, rest = value[1:close], value[close + 1:]
        if rest:
            if not rest.startswith(":"):
                raise NameserverError(f"expected IP[:PORT], got {text!r}")
            port_text = rest[1:]
    elif value.count(":") == 1:
        address, port_text = value.split(":")
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise NameserverError(f"expected an IP address with an optional :PORT, got {text!r}") from None
    port = 53
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise NameserverError(f"expected a port 1-65535 in {text!r}")
        port = int(port_text)
    return Nameserver(address, port)


def _join_txt(strings: Sequence[bytes]) -> str:
    # RFC 7208 3.3: the character-strings of one TXT record are concatenated with no separator.
    return b"".join(strings).decode("utf-8", errors="replace")


def _strip(name: Any) -> str:
    return str(name).rstrip(".").lower()


def _cname_chain(response: Any, qname: Any) -> tuple[str, ...]:
    """Follow CNAMEs in a response's answer section, starting at qname."""
    import dns.rdatatype

    if response is None:
        return ()
    chain: list[str] = []
    current = qname
    seen = set()
    while current not in seen:
        seen.add(current)
        rrset = next(
            (r for r in response.answer if r.name == current and r.rdtype == dns.rdatatype.CNAME), None
        )
        if rrset is None:
            break
        current = next(iter(rrset)).target
        chain.append(_strip(current))
    return tuple(chain)


@dataclass
class Resolver:
    """A stub resolver asking `nameservers` (IP[:PORT] strings) or the system's, with a timeout."""

    nameservers: Sequence[str] = ()
    timeout: float = DEFAULT_TIMEOUT
    _resolver: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        import dns.nameserver
        import dns.resolver

        servers = [parse_nameserver(text) for text in self.nameservers]
        if servers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(s.address, s.port) for s in servers]
        else:
            try:
                resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                raise NoSystemResolver("no DNS resolver is configured on this machine (no nameserver in "
                                       "/etc/resolv.conf); pass --nameserver IP[:PORT]") from None
        # `timeout` is per server tried; a lookup may try up to three servers before it gives up.
        resolver.timeout = self.timeout
        resolver.lifetime = self.timeout * min(3, max(1, len(resolver.nameservers)))
        # An unreachable or failing server is an answer to report, not a reason to hammer it.
        resolver.retry_servfail = False
        self._resolver = resolver

    def lookup(self, name: str, rdtype: str) -> Lookup:
        import dns.exception
        import dns.name
        import dns.rdatatype
        import dns.resolver

        qname_text = name.rstrip(".")
        try:
            qname = dns.name.from_text(qname_text)
        except dns.exception.DNSException as exc:
            return Lookup(qname_text, rdtype, Outcome.NXDOMAIN, detail=f"not a valid domain name: {exc}")
        try:
            answer = self._resolver.resolve(qname, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            responses = exc.kwargs.get("responses") or {}
            response = responses.get(qname)
            return Lookup(qname_text, rdtype, Outcome.NXDOMAIN, cnames=_cname_chain(response, qname))
        except dns.resolver.NoNameservers as exc:
            return Lookup(qname_text, rdtype, Outcome.SERVFAIL, detail=_servfail_detail(exc))
        except (dns.resolver.LifetimeTimeout, dns.exception.Timeout):
            return Lookup(qname_text, rdtype, Outcome.TIMEOUT, detail=f"no answer within {self.timeout:g}s")
        except dns.exception.DNSException as exc:
            return Lookup(qname_text, rdtype, Outcome.SERVFAIL, detail=str(exc) or type(exc).__name__)
        cnames = _cname_chain(answer.response, qname)
        if answer.rrset is None:
            return Lookup(qname_text, rdtype, Outcome.NODATA, cnames=cnames)
        return _from_rrset(qname_text, rdtype, answer.rrset, cnames)

    def txt(self, name: str) -> Lookup:
        return self.lookup(name, "TXT")

    def a(self, name: str) -> Lookup:
        return self.lookup(name, "A")

    def aaaa(self, name: str) -> Lookup:
        return self.lookup(name, "AAAA")

    def mx(self, name: str) -> Lookup:
        return self.lookup(name, "MX")

    def cname(self, name: str) -> Lookup:
        return self.lookup(name, "CNAME")

    def caa(self, name: str) -> Lookup:
        return self.lookup(name, "CAA")

    def ptr(self, address: str) -> Lookup:
        import dns.reversename

        return self.lookup(str(dns.reversename.from_address(address)), "PTR")


def _from_rrset(name: str, rdtype: str, rrset: Any, cnames: tuple[str, ...]) -> Lookup:
    records: list[str] = []
    mx: list[MX] = []
    for rdata in rrset:
        kind = rdtype.upper()
        if kind in ("TXT", "SPF"):  # SPF: the obsolete type 99 (RFC 7208 3.1), same rdata as TXT
            records.append(_join_txt(rdata.strings))
        elif kind == "MX":
            host = _strip(rdata.exchange)
            mx.append(MX(int(rdata.preference), host))
            records.append(f"{int(rdata.preference)} {host or '.'}")
        elif kind in ("CNAME", "PTR", "NS"):
            records.append(_strip(rdata.target))
        elif kind == "CAA":
            records.append(f'{rdata.flags} {rdata.tag.decode()} "{rdata.value.decode(errors="replace")}"')
        else:
            records.append(rdata.to_text())
    return Lookup(name, rdtype, Outcome.ANSWER, tuple(records), tuple(mx), cnames)


def _servfail_detail(exc: Any) -> str:
    errors = exc.kwargs.get("errors") or []
    parts = []
    for error in errors:
        # dnspython: (server, tcp, port, exception or rcode, response)
        server, problem = error[0], error[3]
        parts.append(f"{server}: {problem}")
    return "; ".join(parts) or "all nameservers failed"
