"""SPF through the gate against the loopback DNS server: limits at their boundaries, tree output."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gates.report import Status

Gate = Callable[..., object]


def test_valid_record_passes_with_tree(gate: Callable) -> None:
    spf = gate("good.test", dkim_selectors=("s1",)).checks["spf"]
    assert spf.status is Status.PASSED
    assert spf.properties["lookups"] == 2
    assert "[1] include:_spf.good.test" in spf.output
    assert '_spf.good.test: "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"' in spf.output


@pytest.mark.parametrize(("domain", "lookups", "status"), [("ten.test", 10, Status.PASSED),
                                                          ("eleven.test", 11, Status.FAILED)])
def test_lookup_limit_boundary(gate: Callable, domain: str, lookups: int, status: Status) -> None:
    run = gate(domain)
    spf = run.checks["spf"]
    assert spf.properties["lookups"] == lookups
    assert spf.status is status
    assert ("spf-lookup-limit" in run.rules("spf")) is (status is Status.FAILED)
    assert f"{lookups}/10 DNS lookups" in spf.output


@pytest.mark.parametrize(("domain", "voids", "status"), [("void2.test", 2, Status.PASSED),
                                                        ("void3.test", 3, Status.FAILED)])
def test_void_limit_boundary(gate: Callable, domain: str, voids: int, status: Status) -> None:
    run = gate(domain)
    spf = run.checks["spf"]
    assert spf.properties["void_lookups"] == voids
    assert spf.status is status
    assert "gone1." in spf.output and "VOID (nxdomain)" in spf.output  # each void lookup is named


def test_a_and_mx_on_ipv4_only_names_are_not_void(gate: Callable) -> None:
    spf = gate("amx.test").checks["spf"]
    assert spf.properties == {"lookups": 2, "void_lookups": 0, "records": 1}
    assert spf.status is Status.PASSED


@pytest.mark.parametrize(
    ("domain", "rule", "status"),
    [
        ("two.test", "spf-multiple-records", Status.FAILED),
        ("plusall.test", "spf-plus-all", Status.FAILED),
        ("neutral.test", "spf-neutral-all", Status.PASSED),
        ("noall.test", "spf-no-all", Status.PASSED),
        ("ptr.test", "spf-ptr", Status.PASSED),
        ("loop.test", "spf-include-loop", Status.FAILED),
        ("redirnone.test", "spf-redirect-missing", Status.FAILED),
        ("mxlimit.test", "spf-mx-limit", Status.FAILED),
        ("badmacro.test", "spf-syntax", Status.FAILED),
        ("nowhere.test", "spf-missing", Status.FAILED),
        ("leading.test", "spf-missing", Status.FAILED),
    ],
)
def test_record_problems(gate: Callable, domain: str, rule: str, status: Status) -> None:
    run = gate(domain)
    assert rule in run.rules("spf")
    assert run.checks["spf"].status is status
    finding = next(f for f in run.checks["spf"].findings if f.rule == rule)
    assert finding.fix and finding.evidence


def test_warnings_fail_under_strict(gate: Callable) -> None:
    from gates.report import Severity, apply_fail_on

    run = gate("neutral.test")
    assert apply_fail_on(run.report, Severity.WARNING).checks[0].status is Status.FAILED


def test_split_txt_strings_are_joined(gate: Callable) -> None:
    spf = gate("split.test").checks["spf"]
    assert spf.status is Status.PASSED
    assert '"v=spf1 ip4:192.0.2.1 include:_spf.good.test -all"' in spf.output


def test_redirect_followed_and_counted(gate: Callable) -> None:
    spf = gate("redirok.test").checks["spf"]
    assert spf.status is Status.PASSED
    assert spf.properties["lookups"] == 1


def test_macros_are_valid_and_not_followed(gate: Callable) -> None:
    spf = gate("macros.test").checks["spf"]
    assert spf.status is Status.PASSED
    assert spf.properties["lookups"] == 2
    assert "depends on macros" in spf.output


def test_malformed_terms_each_named(gate: Callable) -> None:
    run = gate("malformed.test")
    messages = " ".join(f.message for f in run.checks["spf"].findings)
    assert "999.1.1.1" in messages and "unknown mechanism 'foo'" in messages and "a:/33" in messages


def test_near_miss_record_is_named(gate: Callable) -> None:
    finding = gate("leading.test").checks["spf"].findings[0]
    assert "looks like SPF" in finding.message and '" v=spf1 -all"' in (finding.evidence or "")


def test_terms_after_all_are_not_evaluated_or_counted(gate: Callable) -> None:
    spf = gate("afterall.test").checks["spf"]
    assert spf.properties["lookups"] == 0
    assert [f.rule for f in spf.findings] == ["spf-after-all"]
    assert "include:_spf.good.test, a come(s) after 'all'" in spf.findings[0].message
