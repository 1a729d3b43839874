"""SPF term and macro syntax (RFC 7208 section 7 and 12)."""

from __future__ import annotations

import pytest

from gates.email.spf_syntax import is_spf, parse


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 -all",
        "v=spf1 include:_spf.google.com ~all",
        "v=spf1 a/24//64 mx:mail.example.com/28 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",
        "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
        "v=spf1 redirect=_spf.example.com",
        "v=spf1 include:example.com exp=explain._spf.%{d} -all",
        "v=spf1 ip4:192.0.2.1   -all  ",
        "v=spf1 unknown-mod=%{d}%% -all",
        "v=spf1 include:_spf.example.com. a:mail.example.com./24 -all",  # fully qualified names
        "v=spf1 a:%{ir/}.x.example.com/24 exists:%{l-}.%{d} -all",  # '/' and '-' as macro delimiters
        "v=spf1 a:host.xn--bcher-kva.example mx:mx-1.example-2.com -all",
    ],
)
def test_valid_records(record: str) -> None:
    assert parse(record).problems == ()


@pytest.mark.parametrize(
    ("record", "needle"),
    [
        ("v=spf1 ip4:192.0.2.0/33 -all", "192.0.2.0/33"),
        ("v=spf1 ip6:192.0.2.1 -all", "not an IPv6"),
        ("v=spf1 include: -all", "needs a domain"),
        ("v=spf1 include:%{x}.example.com -all", "unknown macro letter"),
        ("v=spf1 include:%{c}.example.com -all", "only allowed in an exp"),
        ("v=spf1 include:%{d0}.example.com -all", "at least 1"),
        ("v=spf1 include:%x.example.com -all", "invalid macro"),
        ("v=spf1 a:192.0.2.1 -all", "not a domain name"),
        ("v=spf1 mx/40 -all", "IPv4 prefix"),
        ("v=spf1 a//129 -all", "IPv6 prefix"),
        ("v=spf1 redirect=a.example.com redirect=b.example.com", "more than once"),
        ("v=spf1 all=1 -all", None),
        ("v=spf1 -all:foo", "no argument"),
        ("v=spf1 \u00e9 -all", "non-ASCII"),
        ("v=spf1 ipv4:192.0.2.1 -all", "unknown mechanism 'ipv4'"),
        ("v=spf1 include:_spf.example.com.. -all", "not a domain name"),
        ("v=spf1 a:10.0.0.10 -all", "not a domain name"),  # an all-digit top label is an address
        ("v=spf1 ip4:192.0.2.0/024 -all", "leading zeros"),
        ("v=spf1 ip6:2001:db8::/032 -all", "leading zeros"),
    ],
)
def test_invalid_records(record: str, needle: str | None) -> None:
    problems = parse(record).problems
    if needle is None:  # `all=1` is an unknown modifier: allowed
        assert problems == ()
        return
    assert any(needle in p.message or needle in p.term for p in problems), problems


def test_version_match() -> None:
    assert is_spf("v=spf1") and is_spf("V=SPF1 -all")
    assert not is_spf("v=spf10 -all") and not is_spf("spf1 -all")


def test_lookup_costs() -> None:
    terms = parse("v=spf1 include:a.example a mx ptr exists:x.example ip4:192.0.2.1 all redirect=b.example "
                  "exp=c.example").terms
    assert [t.text for t in terms if t.costs_lookup] == [
        "include:a.example", "a", "mx", "ptr", "exists:x.example", "redirect=b.example"]
