"""DKIM keys at <selector>._domainkey.dk.test: sizes, types, flags, CNAMEs, probing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gates.report import Severity, Status


@pytest.mark.parametrize(
    ("selector", "rule", "status"),
    [
        ("rsa512", "dkim-weak-key", Status.FAILED),
        ("rsa1024", "dkim-short-key", Status.PASSED),
        ("rsa2048", None, Status.PASSED),
        ("ed", None, Status.PASSED),
        ("revoked", "dkim-revoked", Status.FAILED),
        ("testing", "dkim-testing", Status.PASSED),
        ("sha1", "dkim-sha1", Status.FAILED),
        ("garbled", "dkim-bad-key", Status.FAILED),
        ("cnamed", None, Status.PASSED),
        ("dangling", "dkim-cname-dangling", Status.FAILED),
        ("missing", "dkim-missing", Status.FAILED),
        ("service", "dkim-service", Status.FAILED),
    ],
)
def test_selector(gate: Callable, selector: str, rule: str | None, status: Status) -> None:
    dkim = gate("dk.test", dkim_selectors=(selector,)).checks["dkim"]
    assert dkim.status is status, dkim.findings
    rules = [f.rule for f in dkim.findings]
    assert rules == ([rule] if rule else [])
    for finding in dkim.findings:
        assert finding.fix and finding.evidence and selector in finding.evidence


def test_key_sizes_reported(gate: Callable) -> None:
    dkim = gate("dk.test", dkim_selectors=("rsa1024", "rsa2048", "ed", "cnamed")).checks["dkim"]
    assert "RSA 1024-bit key" in dkim.output and "RSA 2048-bit key" in dkim.output
    assert "ed25519" in dkim.output
    assert "via CNAME cnamed.dkim.esp.test" in dkim.output
    assert dkim.properties["selectors_valid"] == 4
    assert [f.severity for f in dkim.findings] == [Severity.WARNING]


def test_common_selectors_probed(gate: Callable) -> None:
    dkim = gate("probe.test").checks["dkim"]
    assert dkim.status is Status.PASSED
    assert "found google, selector1" in dkim.output
    # a retired key at a probed selector is normal rotation, not a failure
    assert [(f.rule, f.severity) for f in dkim.findings] == [("dkim-revoked", Severity.INFO)]


def test_no_selector_found_is_a_warning_naming_the_flag(gate: Callable) -> None:
    dkim = gate("nowhere.test").checks["dkim"]
    assert [(f.rule, f.severity) for f in dkim.findings] == [("dkim-no-selector", Severity.WARNING)]
    assert "--dkim-selector" in (dkim.findings[0].fix or "")
    assert "_domainkey.nowhere.test does not exist (NXDOMAIN)" in dkim.output  # one query, not one per selector


def test_bulk_sender_requires_dkim(gate: Callable) -> None:
    run = gate("nowhere.test", policy="bulk-sender")
    assert "dkim-bulk-sender-required" in run.rules("dkim")
    assert run.checks["dkim"].status is Status.FAILED
