"""MX (null MX included), MTA-STS and TLS-RPT records."""

from __future__ import annotations

from collections.abc import Callable

from gates.report import Severity, Status


def test_mx_resolves(gate: Callable) -> None:
    mx = gate("good.test").checks["mx"]
    assert mx.status is Status.PASSED
    assert "mail.good.test -> 192.0.2.25" in mx.output


def test_null_mx_with_matching_spf_and_dmarc(gate: Callable) -> None:
    mx = gate("nullmx.test").checks["mx"]
    assert mx.status is Status.PASSED and not mx.findings
    assert "null MX" in mx.output


def test_null_mx_on_a_domain_that_sends(gate: Callable) -> None:
    run = gate("nullsends.test")
    assert run.rules("mx") == ["mx-null-spf", "mx-null-dmarc"]


def test_mx_host_without_address(gate: Callable) -> None:
    assert gate("badmx.test").rules("mx") == ["mx-host-unresolvable"]


def test_missing_mx_is_a_warning(gate: Callable) -> None:
    mx = gate("two.test").checks["mx"]
    assert [(f.rule, f.severity) for f in mx.findings] == [("mx-missing", Severity.WARNING)]


def test_mta_sts_and_tls_rpt(gate: Callable) -> None:
    good = gate("good.test")
    assert good.checks["mta-sts"].status is Status.PASSED
    assert good.checks["tls-rpt"].status is Status.PASSED
    bad = gate("badsts.test", mta_sts_fetch=False)
    assert bad.rules("mta-sts") == ["mta-sts-syntax"]
    assert bad.rules("tls-rpt") == ["tls-rpt-syntax"]
    assert bad.checks["mta-sts"].status is Status.PASSED  # warnings: senders fail open
    required = gate("badsts.test", require_mta_sts=True, mta_sts_fetch=False)
    assert required.checks["mta-sts"].status is Status.FAILED


def test_unpublished_mta_sts_is_skipped_unless_required(gate: Callable) -> None:
    assert gate("two.test").checks["mta-sts"].status is Status.SKIPPED
    required = gate("two.test", require_mta_sts=True)
    assert required.rules("mta-sts") == ["mta-sts-missing"]
    assert required.rules("tls-rpt") == ["tls-rpt-missing"]
