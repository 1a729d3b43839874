"""MTA-STS (RFC 8461): the _mta-sts TXT record, and the policy file it announces, fetched over HTTPS.

The policy host `mta-sts.<domain>` is resolved through the gate's own DNS (so `--nameserver` applies to
it too) and fetched with httpx, certificate verified, redirects not followed (RFC 8461 3.3). Every MX
host must match one of the policy's `mx:` patterns: in `enforce` mode a host that does not is one that
MTA-STS senders refuse to deliver to, so that is an error even when MTA-STS is not required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gates.common.dns import Lookup, Outcome, Resolver
from gates.email.result import Result, quoted
from gates.email.tags import has_version, parse_tags
from gates.report import Severity

_STS_ID = re.compile(r"[A-Za-z0-9]{1,32}\Z")
MAX_POLICY_BYTES = 64 * 1024
MAX_AGE_LIMIT = 31_557_600


@dataclass(frozen=True)
class Fetch:
    enabled: bool = True
    port: int = 443  # another port only to test a policy server before it moves to 443
    ca_bundle: str | None = None
    timeout_s: float = 5.0


def check_mta_sts(resolver: Resolver, domain: str, required: bool, fetch: Fetch) -> Result:
    result = Result("mta-sts", domain)
    name = f"_mta-sts.{domain}"
    lookup = resolver.txt(name)
    if result.failed(lookup):
        return result
    records = [r for r in lookup.records if has_version(r, "STSv1")]
    severity = Severity.ERROR if required else Severity.WARNING
    if not records:
        if required:
            result.error("missing", f"no v=STSv1 record at {name} ({lookup.outcome.value}) and the config requires "
                         "one", evidence=f"{name} TXT: {lookup.outcome.value}",
                         fix=f'Publish "v=STSv1; id=<timestamp>" at {name} and the policy file.')
        else:
            result.skipped = f"not published ({name})"
        return result
    if len(records) > 1:
        result.add("multiple-records", severity, f"{len(records)} v=STSv1 records at {name}; senders ignore them all",
                   "; ".join(quoted(name, r) for r in records), "Keep exactly one.")
        return result
    record = records[0]
    result.lines.append(f'{name}: "{record}"')
    tags, problems = parse_tags(record)
    if next(iter(tags), "") != "v" or tags.get("v") != "STSv1":
        problems.append("the record must start with v=STSv1")
    if not _STS_ID.match(tags.get("id", "")):
        problems.append("id= must be 1-32 letters and digits, changed whenever the policy changes")
    for problem in problems:
        result.add("syntax", severity, problem, quoted(name, record),
                   f"Publish \"v=STSv1; id=<timestamp>\" at {name}.")
    if fetch.enabled:
        _policy(result, resolver, domain, severity, fetch)
    else:
        result.lines.append("policy file not fetched (mta_sts_fetch = false)")
    return result


def _policy(result: Result, resolver: Resolver, domain: str, severity: Severity, fetch: Fetch) -> None:
    host = f"mta-sts.{domain}"
    address = _address(result, resolver, host, severity)
    if address is None:
        return
    url = f"https://{host}{'' if fetch.port == 443 else f':{fetch.port}'}/.well-known/mta-sts.txt"
    text = _get(result, url, address, severity, fetch)
    if text is None:
        return
    policy, problems = parse_policy(text)
    evidence = f"{url}: " + " | ".join(text.strip().splitlines()[:6])
    for problem in problems:
        result.add("policy-syntax", severity, problem, evidence, "Serve version, mode, mx and max_age lines "
                   "(RFC 8461 3.2), then change the id= in the TXT record.")
    mode = policy.get("mode", [""])[0]
    result.lines.append(f"policy: mode={mode or '?'} mx={','.join(policy.get('mx', []))}")
    if mode == "testing":
        result.info("testing", "mode: testing: failures are only reported, not enforced", evidence,
                    "Switch to mode: enforce once TLS-RPT reports are clean.")
    mx = resolver.mx(domain)
    if result.failed(mx):
        return
    patterns = policy.get("mx", [])
    for host_name in [m.host for m in mx.mx if m.host]:
        if not any(mx_matches(pattern, host_name) for pattern in patterns):
            enforced = mode == "enforce"
            consequence = ": MTA-STS senders will not deliver to it" if enforced else ""
            result.add("mx-mismatch", Severity.ERROR if enforced else severity, f"MX {host_name} matches no mx: "
                       f"pattern of the policy ({', '.join(patterns) or 'none'}){consequence}", evidence,
                       f"Add \"mx: {host_name}\" to the policy file and change the TXT id=.")


def _address(result: Result, resolver: Resolver, host: str, severity: Severity) -> str | None:
    lookups = [resolver.a(host), resolver.aaaa(host)]
    if any(result.failed(lookup) for lookup in lookups):
        return None
    addresses = [address for lookup in lookups for address in lookup.records]
    if not addresses:
        result.add("policy-host-missing", severity, f"{host} does not resolve, so senders cannot fetch the policy "
                   "and MTA-STS does nothing", f"{host} A/AAAA: {lookups[0].outcome.value}",
                   f"Point {host} at an HTTPS server that serves /.well-known/mta-sts.txt.")
        return None
    return addresses[0]


def _get(result: Result, url: str, address: str, severity: Severity, fetch: Fetch) -> str | None:
    import httpx

    from gates.common.http import ClientSettings, build_client, classify

    host = url.split("/")[2].split(":")[0]
    settings = ClientSettings(resolve=(f"{host}:{fetch.port}:{address}",), ca_bundle=fetch.ca_bundle,
                              timeout=fetch.timeout_s, follow_redirects=False)
    try:
        with build_client(settings) as client:
            response = client.get(url)
            body = response.read()[:MAX_POLICY_BYTES]
    except httpx.HTTPError as exc:
        failure = classify(exc)
        if failure.kind == "timeout":
            result.failures.append(Lookup(url, "HTTPS", Outcome.TIMEOUT, detail=failure.message))
            return None
        result.add("policy-unreachable", severity, f"cannot fetch {url}: {failure.message}", url,
                   "Serve the policy over HTTPS with a certificate valid for the mta-sts host.")
        return None
    if response.status_code != 200:
        result.add("policy-unreachable", severity, f"{url} answered HTTP {response.status_code} (senders need a "
                   "200; redirects are not followed)", url, "Serve the policy file itself at this URL.")
        return None
    content_type = response.headers.get("content-type", "")
    if not content_type.lower().startswith("text/plain"):
        result.add("policy-content-type", severity, f"{url} is served as {content_type or 'no type'}; senders "
                   "expect text/plain", url, "Serve the file with Content-Type: text/plain.")
    return body.decode("utf-8", errors="replace")


def parse_policy(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """RFC 8461 3.2 key: value lines; the values by key, and the problems."""
    policy: dict[str, list[str]] = {}
    problems: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            problems.append(f"{line.strip()[:40]!r} is not a key: value line")
            continue
        policy.setdefault(key.strip().lower(), []).append(value.strip())
    if policy.get("version") != ["STSv1"]:
        problems.append("version: STSv1 must appear exactly once")
    mode = policy.get("mode", [])
    if len(mode) != 1 or mode[0] not in ("enforce", "testing", "none"):
        problems.append("mode: must be enforce, testing or none, once")
    max_age = policy.get("max_age", [])
    if len(max_age) != 1 or not max_age[0].isdigit() or int(max_age[0]) > MAX_AGE_LIMIT:
        problems.append(f"max_age: must be a number of seconds up to {MAX_AGE_LIMIT}, once")
    if mode and mode[0] != "none" and not policy.get("mx"):
        problems.append("at least one mx: line is required unless mode is none")
    return policy, problems


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 4.1: exact, or `*.` matching exactly one leftmost label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host
