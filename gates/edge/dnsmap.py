"""DNS: every declared host resolves (CNAME chains walked one link at a time), dangling CNAMEs, CAA.

The walk asks for the CNAME of each name before its addresses so a chain that ends in NXDOMAIN is
seen as what it is: a record pointing at a name nobody owns (a subdomain-takeover risk).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from gates.common.dns import Lookup, Outcome, Resolver
from gates.report import Check, Finding, Severity, Status, judge

MAX_CHAIN = 8


class LookupFailed(Exception):
    """The resolver did not answer (timeout, SERVFAIL, refused): the DNS question could not be evaluated."""


@dataclass(frozen=True)
class HostRecord:
    host: str
    chain: tuple[str, ...] = ()  # CNAME targets, in order
    addresses: tuple[str, ...] = ()
    nxdomain: bool = False  # the last name of the chain does not exist
    error: str | None = None  # could not evaluate

    @property
    def resolves(self) -> bool:
        return bool(self.addresses)


def make_resolver(nameservers: Sequence[str], timeout: float) -> Resolver:
    return Resolver(tuple(nameservers), timeout=timeout)


def _query(resolver: Resolver, name: str, rdtype: str) -> Lookup:
    found = resolver.lookup(name, rdtype)
    if found.failed:
        raise LookupFailed(found.describe())
    return found


def lookup(resolver: Resolver, host: str) -> HostRecord:
    chain: list[str] = []
    name = host
    try:
        for _ in range(MAX_CHAIN):
            cname = _query(resolver, name, "CNAME")
            if cname.outcome is Outcome.NXDOMAIN:
                return HostRecord(host, tuple(chain), nxdomain=True)
            if not cname.found or not cname.records:
                break
            name = cname.records[0].rstrip(".").lower()
            if name in chain or name == host:
                return HostRecord(host, tuple(chain + [name]), error="CNAME loop")
            chain.append(name)
        addresses: list[str] = []
        for rdtype in ("A", "AAAA"):
            found = _query(resolver, name, rdtype)
            if found.outcome is Outcome.NXDOMAIN:
                return HostRecord(host, tuple(chain), nxdomain=True)
            addresses.extend(found.records)
    except LookupFailed as exc:
        return HostRecord(host, tuple(chain), error=str(exc))
    return HostRecord(host, tuple(chain), tuple(addresses))


def caa(resolver: Resolver, domain: str) -> list[str] | None:
    try:
        return list(_query(resolver, domain, "CAA").records)
    except LookupFailed:
        return None


def host_check(record: HostRecord, duration: float) -> Check:
    name = f"dns {record.host}"
    shown = " -> ".join((record.host, *record.chain))
    if record.error:
        return Check(name, Status.ERROR, duration, group="dns", message=f"could not resolve: {record.error}")
    findings: list[Finding] = []
    if record.nxdomain and record.chain:
        findings.append(Finding(
            "edge.dns.dangling-cname",
            f"{record.host} is a CNAME to {record.chain[-1]}, which does not exist (subdomain-takeover risk)",
            Severity.ERROR, evidence=f"{shown} -> NXDOMAIN",
            fix=f"delete the CNAME for {record.host}, or point it at a name you control",
        ))
    elif not record.resolves:
        findings.append(Finding(
            "edge.dns.unresolved",
            f"{record.host} has no A or AAAA record" + (" (NXDOMAIN)" if record.nxdomain else ""),
            Severity.ERROR, evidence=shown,
            fix=f"add an A/AAAA (or CNAME) record for {record.host}, or remove it from [edge] hosts",
        ))
    message = f"{shown} -> {', '.join(record.addresses)}" if record.resolves else ""
    return Check(name, judge(findings), duration, tuple(findings), {"cname_hops": len(record.chain)},
                 group="dns", message="" if findings else message)


def caa_check(domain: str, records: list[str] | None, duration: float) -> Check:
    name = f"dns caa {domain}"
    if records is None:
        return Check(name, Status.ERROR, duration, group="dns", message=f"CAA lookup for {domain} got no answer")
    if records:
        finding = Finding("edge.dns.caa", f"CAA restricts issuers for {domain}", Severity.INFO,
                          evidence="; ".join(records))
    else:
        finding = Finding("edge.dns.caa", f"{domain} has no CAA record: any CA may issue for it", Severity.INFO,
                          fix=f'add e.g. {domain}. CAA 0 issue "letsencrypt.org" naming the CA you use')
    return Check(name, Status.PASSED, duration, (finding,), group="dns")


def check_all(resolver: Resolver, hosts: Sequence[str]) -> tuple[dict[str, HostRecord], list[Check]]:
    def one(host: str) -> tuple[HostRecord, Check]:
        started = time.monotonic()
        record = lookup(resolver, host)
        return record, host_check(record, time.monotonic() - started)

    if not hosts:
        return {}, []
    # In parallel: a resolver that never answers costs one timeout, not one per host.
    with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
        results = list(pool.map(one, hosts))
    return {record.host: record for record, _ in results}, [check for _, check in results]
