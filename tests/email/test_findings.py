"""Every finding of every scenario names a rule, quotes what it judged and says how to fix it."""

from __future__ import annotations

import re

from gates.email import Options, run
from tests.servers.dns_server import DNSServer


def test_every_finding_has_rule_evidence_and_fix(dns_server: DNSServer, zone_text: str) -> None:
    domains = sorted({m.rstrip(".") for m in re.findall(r"^(?:_dmarc\.)?([a-z0-9.-]+\.test)\.", zone_text, re.M)})
    selectors = ("s1", "rsa512", "revoked", "dangling", "sha1", "garbled", "missing")
    seen: set[str] = set()
    for policy in ("baseline", "strict", "bulk-sender"):
        report = run(Options(tuple(domains), selectors, policy, (dns_server.nameserver,), 2.0, mta_sts_fetch=False))
        for finding in report.findings:
            seen.add(finding.rule)
            assert re.fullmatch(r"(spf|dkim|dmarc|mx|mta-sts|tls-rpt)-[a-z0-9-]+", finding.rule), finding
            assert finding.evidence, finding
            assert finding.fix, finding
    assert len(seen) >= 25
