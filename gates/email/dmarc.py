"""DMARC (RFC 7489): one valid record at _dmarc.<domain> (or inherited from the organizational
domain), a policy strong enough for the chosen level, and report destinations that will accept.

Levels: baseline (p=none with rua is a warning), strict (quarantine or reject at pct=100, not in
testing), bulk-sender (the Gmail/Yahoo sender rules: a DMARC record with aggregate reports; p=none
is enough).
"""

from __future__ import annotations

from dataclasses import dataclass

from gates.common.dns import Resolver
from gates.email.dmarc_record import DmarcRecord, is_dmarc, parse_dmarc
from gates.email.orgdomain import organizational_domain, psl_source
from gates.email.result import Result, quoted

LEVELS = ("baseline", "strict", "bulk-sender")


@dataclass(frozen=True)
class DmarcSummary:
    policy: str | None  # the policy that applies to this domain (sp for an inherited record)


def check_dmarc(resolver: Resolver, domain: str, level: str) -> tuple[Result, DmarcSummary]:
    result = Result("dmarc", domain)
    name = f"_dmarc.{domain}"
    lookup = resolver.txt(name)
    if result.failed(lookup):
        return result, DmarcSummary(None)
    records = [r for r in lookup.records if is_dmarc(r)]
    policy_domain, inherited = domain, False
    org = organizational_domain(domain)
    result.properties["psl_source"] = psl_source()
    if not records and org != domain:
        org_lookup = resolver.txt(f"_dmarc.{org}")
        if result.failed(org_lookup):
            return result, DmarcSummary(None)
        records = [r for r in org_lookup.records if is_dmarc(r)]
        if records:
            policy_domain, inherited = org, True
            result.lines.append(f"no record at {name}; inherited from _dmarc.{org} (its sp= applies; "
                                f"public suffixes from {psl_source()})")
    near = [r for r in lookup.records if "dmarc1" in r.lower()]
    if not records and near:
        result.error("syntax", f"{name} has a record mentioning DMARC1 that does not start with v=DMARC1, so "
                     "receivers ignore it", evidence=quoted(name, near[0]),
                     fix="Start the record with v=DMARC1; then the other tags.")
        return result, DmarcSummary(None)
    if not records:
        _missing(result, resolver, domain, name)
        return result, DmarcSummary(None)
    source = f"_dmarc.{policy_domain}"
    if len(records) > 1:
        result.error("multiple-records", f"{source} publishes {len(records)} DMARC records: receivers ignore "
                     "them all, as if there were none", evidence="; ".join(quoted(source, r) for r in records),
                     fix="Keep exactly one v=DMARC1 record.")
        return result, DmarcSummary(None)
    record = parse_dmarc(records[0])
    evidence = quoted(source, record.text)
    result.lines.append(f"{source}: \"{record.text}\"")
    if record.problems:
        for problem in record.problems:
            result.error("syntax", f"{source}: {problem}; receivers ignore an invalid record", evidence=evidence,
                         fix="Correct the record, e.g. \"v=DMARC1; p=quarantine; rua=mailto:dmarc@"
                             f"{policy_domain}\".")
        return result, DmarcSummary(None)
    for problem in record.uri_problems:
        result.warn("report-uri", f"{source}: {problem}; receivers skip it and those reports are lost",
                    evidence=evidence, fix=f"Use mailto: addresses, e.g. rua=mailto:dmarc-reports@{policy_domain}.")
    for tag in record.unknown:
        result.warn("unknown-tag", f"{source}: unknown tag {tag}= (ignored by receivers; a typo?)",
                    evidence=evidence, fix=f"Remove {tag}= or correct its name.")
    policy = record.subdomain_policy() if inherited else record.policy
    tag = "sp" if inherited and "sp" in record.tags else "p"
    result.properties.update(policy=policy or "", pct=record.pct, inherited=inherited)
    _judge_policy(result, level, record, policy, tag, evidence, inherited)
    _judge_reports(result, resolver, record, policy_domain, level, evidence)
    return result, DmarcSummary(policy)


def _missing(result: Result, resolver: Resolver, domain: str, name: str) -> None:
    apex = resolver.txt(domain)
    if result.failed(apex):
        return
    misplaced = [r for r in apex.records if is_dmarc(r)]
    if misplaced:
        result.error("at-apex", f"the DMARC record is published at {domain} instead of {name}: receivers "
                     "never look there", evidence=quoted(domain, misplaced[0]),
                     fix=f"Move the record to a TXT record at {name}.")
        return
    result.error("missing", f"no DMARC record at {name}: receivers apply no policy to mail forged as {domain}, "
                 "and Gmail and Yahoo reject or junk bulk mail from domains without one",
                 evidence=f"{name} TXT: none", fix=f'Publish a TXT record at {name}: "v=DMARC1; p=none; '
                 f'rua=mailto:dmarc-reports@{domain}", then move to p=quarantine once reports look clean.')


def _judge_policy(result: Result, level: str, record: DmarcRecord, policy: str | None, tag: str,
                  evidence: str, inherited: bool) -> None:
    strict = level == "strict"
    enforce = "set p=quarantine (then reject) once the aggregate reports show only your own senders"
    if policy == "none":
        where = "sp=none (inherited by this subdomain)" if tag == "sp" else "p=none"
        if strict:
            result.error("policy-weak", f"{where} only monitors: forged mail is still delivered; the strict "
                         "policy requires quarantine or reject", evidence=evidence, fix=enforce.capitalize() + ".")
        elif not record.rua:
            result.error("policy-none-no-reports", f"{where} without rua= neither protects nor reports anything",
                         evidence=evidence, fix="Add rua=mailto:<address> to receive aggregate reports, and "
                         + enforce + ".")
        elif level == "baseline":
            result.warn("policy-none", f"{where} only monitors: forged mail is still delivered",
                        evidence=evidence, fix=enforce.capitalize() + ".")
        else:
            result.info("policy-none", f"{where} meets the bulk-sender minimum but protects nothing",
                        evidence=evidence, fix=enforce.capitalize() + ".")
    if strict and not inherited and record.tags.get("sp", "").lower() == "none":
        result.error("subdomain-policy-weak", "sp=none leaves every subdomain unprotected", evidence=evidence,
                     fix="Remove sp=none (subdomains then follow p=) or set sp=quarantine.")
    if strict and not inherited and record.tags.get("np", "").lower() == "none":
        result.warn("np-none", "np=none: mail forged from subdomains that do not exist is not rejected",
                    evidence=evidence, fix="Remove np=none (or set np=reject).")
    if record.pct < 100 and policy != "none":
        message = f"pct={record.pct}: the policy applies to only {record.pct}% of failing mail"
        fix = "Set pct=100 (or remove pct=)."
        (result.error if strict else result.warn)("pct", message, evidence, fix)
    if record.testing:
        message = "t=y (DMARCbis testing mode): receivers do not enforce the policy"
        (result.error if strict else result.warn)("testing", message, evidence, "Remove t=y.")
    for name in ("adkim", "aspf"):
        if record.tags.get(name, "r").lower() == "s":
            result.lines.append(f"{name}=s: strict alignment; mail signed or sent from a subdomain fails DMARC")


def _judge_reports(result: Result, resolver: Resolver, record: DmarcRecord, policy_domain: str, level: str,
                   evidence: str) -> None:
    already = any(f.rule == "dmarc-policy-none-no-reports" for f in result.findings)
    if not record.rua and not already:
        message = "no rua=: you get no aggregate reports, so you cannot see who sends as this domain"
        if level == "bulk-sender":
            message += " (bulk senders to Gmail and Yahoo are expected to receive them)"
        fix = f"Add rua=mailto:dmarc-reports@{policy_domain}."
        (result.error if level == "bulk-sender" else result.warn)("no-reports", message, evidence, fix)
    own_org = organizational_domain(policy_domain)
    for uri in record.rua + record.ruf:
        if organizational_domain(uri.domain) == own_org:
            continue
        name = f"{policy_domain}._report._dmarc.{uri.domain}"
        lookup = resolver.txt(name)
        if result.failed(lookup):
            continue
        if any(is_dmarc(r) for r in lookup.records):
            result.lines.append(f"{uri.text}: authorized by {name}")
            continue
        result.warn("report-unauthorized", f"{uri.text} is outside {own_org} and {uri.domain} has not authorized "
                    f"it ({name}: {lookup.outcome.value}): receivers drop these reports", evidence=evidence,
                    fix=f'Ask the operator of {uri.domain} to publish TXT "v=DMARC1" at {name}, or use an '
                        f"address at {own_org}.")
