"""SPF (RFC 7208): one v=spf1 record, valid terms, and the include/redirect tree within its limits.

The tree is walked the way a receiver would evaluate it for a sender that matches nothing (every
term up to the first `all` evaluated), which is the worst case the limits are about:

- DNS-lookup limit (4.6.4): include, a, mx, ptr, exists and redirect cost one each; ip4, ip6, all
  and exp cost nothing; more than 10 is a permerror.
- mx and ptr may each yield at most 10 names (address lookups for those names do not count toward
  the 10). ptr depends on the sender's address, so it is counted and flagged, not resolved.
- void lookups (4.6.4): a term whose DNS query returns NXDOMAIN or no records; more than 2 is a
  permerror. A name counts once when neither its A nor its AAAA exists (a receiver asks one family
  per sender, so counting both would double-count a name that simply lacks IPv6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gates.common.dns import Lookup, Resolver
from gates.email.result import Result, quoted
from gates.email.spf_syntax import MECHANISMS, Parsed, Term, is_spf, parse
from gates.report import Severity

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
MX_PTR_NAMES = 10
# Stop walking a runaway tree. A tree within the 10-lookup limit costs at most about 10 x (1 MX query +
# 10 hosts x A/AAAA) + the records' TXT queries, some 230: below this cap the walk never stops before the
# limit is provably exceeded, so a stop can never turn a failing tree into a pass.
MAX_QUERIES = 400
RECORD_SIZE_HINT = 450  # RFC 7208 3.4: keep records small enough for a 512-byte UDP answer


@dataclass
class Walk:
    resolver: Resolver
    result: Result
    lookups: int = 0
    voids: list[str] = field(default_factory=list)
    queries: int = 0
    records: int = 0

    def query(self, lookup_name: str, rdtype: str) -> Lookup:
        self.queries += 1
        return self.resolver.lookup(lookup_name, rdtype)


@dataclass(frozen=True)
class SpfRecord:
    """What other checks need from the domain's own SPF record."""
    record: str | None
    all_qualifier: str | None  # "-", "~", "?", "+" of the effective all; None without one


def check_spf(resolver: Resolver, domain: str) -> tuple[Result, SpfRecord]:
    result = Result("spf", domain)
    walk = Walk(resolver, result)
    parsed, effective_all = _walk(walk, domain, via=None, path=(), depth=0)
    record = parsed.record if parsed else None
    result.properties.update(lookups=walk.lookups, void_lookups=len(walk.voids), records=walk.records)
    if parsed is None:
        return result, SpfRecord(None, None)
    _judge_all(result, domain, parsed, effective_all)
    _judge_limits(result, domain, walk)
    result.lines.insert(0, f"SPF tree for {domain}: {walk.lookups}/{LOOKUP_LIMIT} DNS lookups, "
                           f"{len(walk.voids)}/{VOID_LIMIT} void lookups")
    if walk.voids:
        result.lines.append("void lookups: " + ", ".join(walk.voids))
    return result, SpfRecord(record, effective_all.qualifier if effective_all else None)


def _walk(walk: Walk, domain: str, via: Term | None, path: tuple[str, ...],
          depth: int) -> tuple[Parsed | None, Term | None]:
    """Fetch and evaluate the SPF record of `domain`; return it and its effective `all` term."""
    result, indent = walk.result, "  " * depth
    lookup = walk.query(domain, "TXT")
    if result.failed(lookup):
        return None, None
    records = [r for r in lookup.records if is_spf(r)]
    if not records:
        _missing(walk, domain, via, lookup, indent)
        return None, None
    if len(records) > 1:
        result.error("multiple-records", f"{domain} publishes {len(records)} SPF records: receivers return "
                     "permerror and SPF fails for every message",
                     evidence="; ".join(quoted(domain, r) for r in records),
                     fix="Merge them into one v=spf1 record and delete the others.")
        result.lines.append(f"{indent}{domain}: {len(records)} SPF records (permerror)")
        return None, None
    record = records[0]
    walk.records += 1
    result.lines.append(f'{indent}{domain}: "{record}"')
    parsed = parse(record)
    _judge_syntax(result, domain, parsed)
    _prefetch(walk, [q for term in _evaluated(parsed) for q in _queries(term, domain, path + (domain,))])
    return parsed, _terms(walk, domain, parsed, path + (domain,), depth)


def _evaluated(parsed: Parsed) -> list[Term]:
    """The terms a receiver evaluates: mechanisms up to the first `all`, and redirect when there is none."""
    terms: list[Term] = []
    for term in parsed.terms:
        if term.kind == "mechanism":
            if term.name == "all":
                return terms
            terms.append(term)
    redirect = parsed.modifier("redirect")
    return terms + ([redirect] if redirect else [])


def _queries(term: Term, domain: str, path: tuple[str, ...]) -> list[tuple[str, str]]:
    """The first DNS queries a term will make (none for macros, loops and terms without lookups)."""
    if not term.costs_lookup or term.has_macros or term.name == "ptr":
        return []
    target = (term.value or domain).rstrip(".").lower()
    if term.name in ("include", "redirect"):
        return [] if target in path else [(target, "TXT")]
    return {"a": [(target, "A"), (target, "AAAA")], "mx": [(target, "MX")], "exists": [(target, "A")]}[term.name]


def _prefetch(walk: Walk, queries: list[tuple[str, str]]) -> None:
    from gates.email.cache import CachingResolver

    if isinstance(walk.resolver, CachingResolver) and walk.queries + len(queries) <= MAX_QUERIES:
        walk.resolver.prefetch(queries)


def _missing(walk: Walk, domain: str, via: Term | None, lookup: Lookup, indent: str) -> None:
    result = walk.result
    near = [r for r in lookup.records if "spf1" in r.lower()]
    if via is None and near:
        result.error("missing", f"{domain} has a TXT record that looks like SPF but does not start with exactly "
                     "\"v=spf1\" followed by a space, so receivers ignore it", evidence=quoted(domain, near[0]),
                     fix="Start the record with v=spf1 (no leading space or quote, no other text before it).")
        return
    if via is None and _type99(walk, domain):
        result.error("missing", f"{domain} publishes its SPF record only as the obsolete SPF type 99 record; "
                     "receivers read only TXT records (RFC 7208 3.1), so the domain has no SPF",
                     evidence=f"{domain} SPF (type 99): {_type99(walk, domain)}",
                     fix=f"Publish the same text as a TXT record at {domain}, and delete the type 99 record.")
        return
    if via is None:
        result.error("missing", f"{domain} publishes no SPF record: receivers cannot tell your servers "
                     "from forgers", evidence=_found(domain, lookup),
                     fix=f'Publish one TXT record at {domain}: "v=spf1 include:<your provider> -all" '
                         '(or "v=spf1 -all" if the domain sends no mail).')
        return
    if lookup.void:
        walk.voids.append(f"{via.text} ({lookup.outcome.value})")
    kind = "redirect" if via.kind == "modifier" else "include"
    result.lines.append(f"{indent}{domain}: no SPF record ({lookup.outcome.value})")
    result.error(f"{kind}-missing", f"{via.text} points to {domain}, which has no SPF record: this is a "
                 "permerror and SPF fails for every message", evidence=_found(domain, lookup),
                 fix=f"Fix the domain in {via.text} (a typo, or a provider that moved its record) or remove it.")


def _type99(walk: Walk, domain: str) -> str:
    """The SPF text published as a type 99 record, if any (asked only to explain a missing TXT record)."""
    lookup = walk.resolver.lookup(domain, "SPF")
    return next((r for r in lookup.records if is_spf(r)), "")


def _found(domain: str, lookup: Lookup) -> str:
    if lookup.records:
        return "; ".join(quoted(domain, r) for r in lookup.records)
    return f"{domain} TXT: {lookup.outcome.value}"


def _judge_syntax(result: Result, domain: str, parsed: Parsed) -> None:
    for problem in parsed.problems:
        result.error("syntax", f"{problem.term!r}: {problem.message} (permerror: SPF fails for every message)",
                     evidence=quoted(domain, parsed.record), fix=f"Correct or remove {problem.term!r}.")
    for term in parsed.terms:
        if re.search(r"%\{p", term.value, re.IGNORECASE):
            result.warn("ptr", f"{term.text}: the %{{p}} macro needs the same reverse-DNS validation as ptr and "
                        "should not be used (RFC 7208 7.3)", evidence=quoted(domain, parsed.record),
                        fix=f"Rewrite {term.text} without %{{p}} (use %{{i}} or ip4:/ip6: ranges).")
        if term.kind == "modifier" and term.name in MECHANISMS:
            # Valid syntax (an unknown modifier, RFC 7208 6), so receivers silently ignore it: almost
            # always a typo for the mechanism, whose senders then fail SPF.
            result.warn("unknown-modifier", f"{term.text!r} is an unknown modifier that receivers ignore; "
                        f"the {term.name} mechanism is written {term.name}:", evidence=quoted(domain, parsed.record),
                        fix=f"Write {term.name}:{term.value} instead of {term.text}.")
    if len(parsed.record.encode()) > RECORD_SIZE_HINT:
        result.warn("record-size", f"the record is {len(parsed.record.encode())} bytes; answers over 512 bytes "
                    "need TCP, which some receivers do not retry", evidence=quoted(domain, parsed.record),
                    fix="Move some mechanisms into an include:_spf.<domain> record.")


def _terms(walk: Walk, domain: str, parsed: Parsed, path: tuple[str, ...], depth: int) -> Term | None:
    """Evaluate every term; return the effective `all` (this record's, or its redirect target's)."""
    indent = "  " * (depth + 1)
    mechanisms = [term for term in parsed.terms if term.kind == "mechanism"]
    for index, term in enumerate(mechanisms):
        if term.name == "all":
            # `all` always matches: receivers stop here, so later terms are neither evaluated nor counted.
            later = mechanisms[index + 1:]
            if later:
                walk.result.warn("after-all", f"{', '.join(t.text for t in later)} come(s) after 'all' and is "
                                 "never evaluated", evidence=quoted(domain, parsed.record),
                                 fix=f"Move {later[0].text!r} before the all, or remove it.")
            break
        if term.costs_lookup:
            _lookup_term(walk, domain, term, path, depth, indent)
    all_term = parsed.all_term
    redirect = parsed.modifier("redirect")
    if redirect is None:
        return all_term
    if all_term is not None:
        walk.result.warn("redirect-ignored", f"{redirect.text!r} is ignored because the record has an "
                         "'all' mechanism (RFC 7208 6.1)", evidence=quoted(domain, parsed.record),
                         fix=f"Remove {redirect.text!r} or the all mechanism.")
        return all_term
    _count(walk, redirect, indent)
    target = _target(walk, redirect, domain, path, indent)
    if target is None:
        return None
    _, effective = _walk(walk, target, redirect, path, depth + 1)
    return effective


def _count(walk: Walk, term: Term, indent: str, note: str = "") -> None:
    walk.lookups += 1
    walk.result.lines.append(f"{indent}[{walk.lookups}] {term.text}{note}")


def _target(walk: Walk, term: Term, domain: str, path: tuple[str, ...], indent: str) -> str | None:
    """The domain a term points to, or None when it cannot or must not be followed."""
    if term.has_macros:
        walk.result.lines.append(f"{indent}  (not followed: the domain depends on macros)")
        return None
    if walk.queries >= MAX_QUERIES:
        walk.result.lines.append(f"{indent}  (not followed: the walk stopped after {MAX_QUERIES} queries)")
        return None
    target = (term.value or domain).rstrip(".").lower()
    if term.name in ("include", "redirect") and target in path:
        walk.result.error("include-loop", f"{term.text} leads back to {target} ({' -> '.join(path + (target,))}): "
                          "receivers hit the lookup limit and return permerror",
                          evidence=term.text, fix=f"Remove {term.text} from the record of {path[-1]}.")
        walk.result.lines.append(f"{indent}  loop back to {target}")
        return None
    return target


def _lookup_term(walk: Walk, domain: str, term: Term, path: tuple[str, ...], depth: int, indent: str) -> None:
    result = walk.result
    if term.name == "ptr":
        _count(walk, term, indent, " (not resolved: depends on the sender's address)")
        result.warn("ptr", "the ptr mechanism is deprecated (RFC 7208 5.5): slow, unreliable, and some "
                    "receivers skip it", evidence=term.text, fix="Replace ptr with ip4:/ip6: or a: mechanisms.")
        return
    if term.name == "include":
        _count(walk, term, indent)
        target = _target(walk, term, domain, path, indent)
        if target is not None:
            _, inner_all = _walk(walk, target, term, path, depth + 2)
            if inner_all is not None and inner_all.qualifier == "+":
                result.error("plus-all", f"{term.text} ends in +all, so the include matches every sender on "
                             "the internet", evidence=term.text, fix=f"Remove {term.text}.")
        return
    _count(walk, term, indent)
    target = _target(walk, term, domain, path, indent)
    if target is None:
        return
    if term.name == "exists":
        lookup = walk.query(target, "A")
        _void_or_fail(walk, term, target, [lookup], indent)
    elif term.name == "a":
        _address_term(walk, term, target, indent)
    elif term.name == "mx":
        _mx_term(walk, term, target, indent)


def _address_term(walk: Walk, term: Term, target: str, indent: str, count_void: bool = True) -> bool:
    lookups = [walk.query(target, "A"), walk.query(target, "AAAA")]
    return _void_or_fail(walk, term, target, lookups, indent, count_void)


def _void_or_fail(walk: Walk, term: Term, target: str, lookups: list[Lookup], indent: str,
                  count_void: bool = True) -> bool:
    """Record failures and void names; True when the name had records."""
    if any(walk.result.failed(lookup) for lookup in lookups):
        return False
    found = [record for lookup in lookups for record in lookup.records]
    if found:
        walk.result.lines.append(f"{indent}  {target} -> {', '.join(found[:4])}{' ...' if len(found) > 4 else ''}")
        return True
    outcome = lookups[0].outcome.value
    walk.voids.append(f"{term.text} -> {target} ({outcome})")
    walk.result.lines.append(f"{indent}  {target}: VOID ({outcome}) [void {len(walk.voids)}]")
    return False


def _mx_term(walk: Walk, term: Term, target: str, indent: str) -> None:
    result = walk.result
    lookup = walk.query(target, "MX")
    if result.failed(lookup):
        return
    if lookup.void:
        walk.voids.append(f"{term.text} -> {target} MX ({lookup.outcome.value})")
        result.lines.append(f"{indent}  {target} MX: VOID ({lookup.outcome.value}) [void {len(walk.voids)}]")
        return
    hosts = [mx.host for mx in lookup.mx if mx.host]
    result.lines.append(f"{indent}  {target} MX -> {len(hosts)} host(s)")
    if len(hosts) > MX_PTR_NAMES:
        result.error("mx-limit", f"{term.text}: {target} has {len(hosts)} MX hosts; more than {MX_PTR_NAMES} "
                     "is a permerror (RFC 7208 4.6.4)", evidence=term.text,
                     fix=f"Replace {term.text} with ip4:/ip6: ranges or an include that lists them.")
    _prefetch(walk, [(host, rdtype) for host in hosts[:MX_PTR_NAMES] for rdtype in ("A", "AAAA")])
    for host in hosts[:MX_PTR_NAMES]:
        _address_term(walk, term, host, indent + "  ")


def _judge_all(result: Result, domain: str, parsed: Parsed, effective: Term | None) -> None:
    evidence = quoted(domain, parsed.record)
    if effective is None:
        redirect = parsed.modifier("redirect")
        if redirect is None:
            result.warn("no-all", "the record has no 'all' mechanism, so unlisted senders get a neutral result",
                        evidence=evidence, fix='End the record with "-all" (or "~all" while you roll out).')
        elif not redirect.has_macros and not result.failures and not any(
                f.severity is Severity.ERROR for f in result.findings):
            # The redirect was followed to a valid record that ends without 'all' (RFC 7208 6.1: its
            # result is this record's result), so unlisted senders get neutral here too.
            result.warn("no-all", f"neither this record nor its {redirect.text} target has an 'all' mechanism, "
                        "so unlisted senders get a neutral result", evidence=evidence,
                        fix="End the redirect target's record with \"-all\" (or \"~all\" while you roll out).")
        return
    if effective.qualifier == "+":
        result.error("plus-all", "+all lets every server on the internet send as this domain",
                     evidence=evidence, fix='Replace "+all" with "-all" (or "~all").')
    elif effective.qualifier == "?":
        result.warn("neutral-all", "?all gives unlisted senders a neutral result: it protects nothing",
                    evidence=evidence, fix='Replace "?all" with "-all" (or "~all").')


def _judge_limits(result: Result, domain: str, walk: Walk) -> None:
    evidence = "\n".join(result.lines[:40])
    if walk.lookups > LOOKUP_LIMIT:
        result.error("lookup-limit", f"evaluating the SPF record of {domain} takes {walk.lookups} DNS lookups; "
                     f"more than {LOOKUP_LIMIT} is a permerror and SPF fails for every message",
                     evidence=evidence, fix="Replace includes you no longer use, flatten a:/mx: into ip4:/ip6: "
                     "ranges, or move a provider to a subdomain with its own record.")
    if len(walk.voids) > VOID_LIMIT:
        result.error("void-limit", f"{len(walk.voids)} lookups return nothing ({'; '.join(walk.voids)}); "
                     f"more than {VOID_LIMIT} is a permerror (RFC 7208 4.6.4)", evidence=evidence,
                     fix="Remove the mechanisms that point to names without records.")
