"""MX (RFC 5321, null MX RFC 7505) and TLS-RPT (RFC 8460) records.

TLS-RPT problems are warnings (senders fail open to plain delivery) unless the config
requires them (`require_mta_sts = true`), then errors.
"""

from __future__ import annotations

import ipaddress
import re

from gates.common.dns import Resolver
from gates.email.result import Result, quoted
from gates.email.tags import has_version, parse_tags

UNKNOWN = "?"  # the SPF record or DMARC policy could not be looked up: say nothing about it


def check_mx(resolver: Resolver, domain: str, spf_record: str | None, dmarc_policy: str | None) -> Result:
    result = Result("mx", domain)
    lookup = resolver.mx(domain)
    if result.failed(lookup):
        return result
    if lookup.outcome.value == "nxdomain":
        result.error("domain-missing", f"{domain} does not exist in DNS: receivers reject mail from it",
                     evidence=f"{domain} MX: nxdomain", fix="Check the domain name and its DNS delegation.")
        return result
    if lookup.void:
        result.warn("missing", f"{domain} has no MX record: replies and bounces fall back to its A record or "
                    "are lost, and some receivers reject senders that cannot receive",
                    evidence=f"{domain} MX: none", fix="Publish the MX records of your mail provider, or a null "
                    'MX ("0 .") if the domain receives no mail.')
        return result
    records = ", ".join(lookup.records)
    result.lines.append(f"{domain} MX: {records}")
    result.properties["mx_hosts"] = len([m for m in lookup.mx if m.host])
    if any(not m.host for m in lookup.mx):
        _null_mx(result, domain, len(lookup.mx), records, spf_record, dmarc_policy)
        return result
    for mx in lookup.mx:
        _host(result, resolver, domain, mx.host)
    return result


def _null_mx(result: Result, domain: str, count: int, records: str, spf_record: str | None,
             dmarc_policy: str | None) -> None:
    evidence = f"{domain} MX {records}"
    if count > 1:
        result.error("null-mixed", "a null MX must be the only MX record (RFC 7505)", evidence=evidence,
                     fix='Remove either the null MX ("0 .") or the other MX records.')
        return
    result.lines.append("null MX (RFC 7505): this domain receives no mail")
    if spf_record != UNKNOWN and (spf_record is None or spf_record.strip().lower() != "v=spf1 -all"):
        result.warn("null-spf", "a domain that takes no mail usually sends none: its SPF record should say "
                    "so with \"v=spf1 -all\"", evidence=quoted(domain, spf_record or "(no SPF record)"),
                    fix=f'Publish "v=spf1 -all" at {domain} (or a real MX if it does send and receive mail).')
    if dmarc_policy not in ("reject", UNKNOWN):
        result.warn("null-dmarc", f"a domain that sends no mail should publish DMARC p=reject (now: "
                    f"{dmarc_policy or 'no policy'})", evidence=f"_dmarc.{domain}",
                    fix=f'Publish "v=DMARC1; p=reject" at _dmarc.{domain}.')


def _host(result: Result, resolver: Resolver, domain: str, host: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        result.error("ip-literal", f"MX {host} is an IP address; an MX must name a host (RFC 5321 5.1)",
                     evidence=f"{domain} MX {host}", fix="Point the MX at a host name with A/AAAA records.")
        return
    lookups = [resolver.a(host), resolver.aaaa(host)]
    if any(result.failed(lookup) for lookup in lookups):
        return
    addresses = [a for lookup in lookups for a in lookup.records]
    chain = lookups[0].cnames or lookups[1].cnames
    if chain:
        result.warn("cname", f"MX {host} is a CNAME; RFC 5321 5.1 and RFC 2181 10.3 forbid it and some "
                    "senders will not follow it", evidence=f"{host} CNAME {chain[0]}",
                    fix="Point the MX at the final host name.")
    if not addresses:
        result.error("host-unresolvable", f"MX host {host} has no A or AAAA record: mail to {domain} cannot "
                     "be delivered there", evidence=f"{host} A/AAAA: {lookups[0].outcome.value}",
                     fix=f"Publish an address for {host} or remove the MX.")
        return
    result.lines.append(f"  {host} -> {', '.join(addresses)}")


def check_tls_rpt(resolver: Resolver, domain: str, required: bool) -> Result:
    result = Result("tls-rpt", domain)
    name = f"_smtp._tls.{domain}"
    records = _records(result, resolver, name, "TLSRPTv1", required)
    if records is None:
        return result
    record = records[0]
    tags, problems = parse_tags(record)
    if next(iter(tags), "") != "v" or tags.get("v") != "TLSRPTv1":
        problems.append("the record must start with v=TLSRPTv1")
    destinations = [d.strip() for d in tags.get("rua", "").split(",") if d.strip()]
    if not destinations:
        problems.append("rua= with at least one mailto: or https: destination is required")
    for destination in destinations:
        if not re.match(r"(mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^\s]+)\Z", destination, re.IGNORECASE):
            problems.append(f"{destination!r} is not a mailto: or https: URI")
    _report(result, required, "syntax", problems, quoted(name, record),
            f'Publish "v=TLSRPTv1; rua=mailto:tls-reports@{domain}".')
    result.lines.append(f'{name}: "{record}"')
    return result


def _records(result: Result, resolver: Resolver, name: str, version: str, required: bool) -> list[str] | None:
    """The records of this version at `name`, or None when there is nothing (more) to check."""
    lookup = resolver.txt(name)
    if result.failed(lookup):
        return None
    records = [r for r in lookup.records if has_version(r, version)]
    if not records:
        if required:
            result.error("missing", f"no v={version} record at {name} ({lookup.outcome.value}) and the config "
                         "requires one", evidence=f"{name} TXT: {lookup.outcome.value}",
                         fix=f"Publish the v={version} TXT record at {name}.")
        else:
            result.skipped = f"not published ({name})"
        return None
    if len(records) > 1:
        _report(result, required, "multiple-records", [f"{len(records)} {version} records at {name}; senders "
                "ignore them all"], "; ".join(quoted(name, r) for r in records), "Keep exactly one.")
        return None
    return records


def _report(result: Result, required: bool, rule: str, problems: list[str], evidence: str, fix: str) -> None:
    for problem in problems:
        (result.error if required else result.warn)(rule, problem, evidence, fix)
