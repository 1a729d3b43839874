"""DMARC records, policy levels, organizational-domain fallback and report authorization."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gates.email.orgdomain import organizational_domain
from gates.report import Status


@pytest.mark.parametrize(
    ("domain", "policy", "rules", "status"),
    [
        ("good.test", "baseline", [], Status.PASSED),
        ("good.test", "strict", [], Status.PASSED),
        ("nowhere.test", "baseline", ["dmarc-missing"], Status.FAILED),
        ("pnone.test", "baseline", ["dmarc-policy-none"], Status.PASSED),
        ("pnone.test", "strict", ["dmarc-policy-weak"], Status.FAILED),
        ("pnone.test", "bulk-sender", ["dmarc-policy-none"], Status.PASSED),
        ("norua.test", "baseline", ["dmarc-policy-none-no-reports"], Status.FAILED),
        ("pct50.test", "baseline", ["dmarc-pct"], Status.PASSED),
        ("pct50.test", "strict", ["dmarc-pct"], Status.FAILED),
        ("badpolicy.test", "baseline", ["dmarc-syntax"], Status.FAILED),
        ("leading.test", "baseline", ["dmarc-syntax"], Status.FAILED),
        ("twodmarc.test", "baseline", ["dmarc-multiple-records"], Status.FAILED),
        ("apex.test", "baseline", ["dmarc-at-apex"], Status.FAILED),
        ("testing.test", "baseline", ["dmarc-testing"], Status.PASSED),
        ("testing.test", "strict", ["dmarc-testing"], Status.FAILED),
        ("extok.test", "baseline", [], Status.PASSED),
        ("extbad.test", "baseline", ["dmarc-report-unauthorized"], Status.PASSED),
        ("inherit.test", "strict", ["dmarc-subdomain-policy-weak"], Status.FAILED),
        ("npnone.test", "baseline", [], Status.PASSED),
        ("npnone.test", "strict", ["dmarc-np-none"], Status.PASSED),
    ],
)
def test_dmarc(gate: Callable, domain: str, policy: str, rules: list[str], status: Status) -> None:
    run = gate(domain, policy=policy)
    dmarc = run.checks["dmarc"]
    assert run.rules("dmarc") == rules
    assert dmarc.status is status
    for finding in dmarc.findings:
        assert finding.fix and finding.evidence


def test_subdomain_inherits_org_record_and_its_sp(gate: Callable) -> None:
    baseline = gate("mail.inherit.test").checks["dmarc"]
    assert baseline.properties["inherited"] is True
    assert baseline.properties["policy"] == "none"  # sp=none, not p=reject
    assert "inherited from _dmarc.inherit.test" in baseline.output
    strict = gate("mail.inherit.test", policy="strict").checks["dmarc"]
    assert strict.status is Status.FAILED
    assert "sp=none" in strict.findings[0].message


def test_bulk_sender_requires_reports(gate: Callable) -> None:
    assert gate("noreports.test").rules("dmarc") == ["dmarc-no-reports"]
    assert gate("noreports.test").checks["dmarc"].status is Status.PASSED
    bulk = gate("noreports.test", policy="bulk-sender")
    assert bulk.rules("dmarc") == ["dmarc-no-reports"]
    assert bulk.checks["dmarc"].status is Status.FAILED


@pytest.mark.parametrize(
    ("domain", "org"),
    [("example.com", "example.com"), ("a.b.example.com", "example.com"), ("mail.example.co.uk", "example.co.uk"),
     ("x.inherit.test", "inherit.test"), ("com", "com")],
)
def test_organizational_domain(domain: str, org: str) -> None:
    assert organizational_domain(domain) == org
