"""gates.common.dns against the real loopback DNS server: outcomes told apart, TXT joined, faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gates.common.dns import Nameserver, NameserverError, Outcome, Resolver, parse_nameserver
from tests.servers.dns_server import DNSServer

ZONE = """
$ORIGIN example.com.
$TTL 300
@       IN TXT "v=spf1 include:_spf.example.com" " -all"
@       IN TXT "other"
@       IN MX 10 mail
@       IN A 192.0.2.1
@       IN CAA 0 issue "letsencrypt.org"
mail    IN A 192.0.2.25
mail    IN AAAA 2001:db8::25
www     IN CNAME web
web     IN CNAME host
host    IN A 192.0.2.80
dangle  IN CNAME nowhere.invalid.
x._report._dmarc IN TXT "v=DMARC1"
big     IN TXT "{A}" "{B}"
""".replace("{A}", "a" * 255).replace("{B}", "b" * 200)


@pytest.fixture(scope="module")
def server() -> Iterator[DNSServer]:
    with DNSServer(ZONE) as running:
        yield running


def test_outcomes_told_apart(server: DNSServer) -> None:
    resolver = Resolver([server.nameserver], timeout=2)
    txt = resolver.txt("example.com")
    assert txt.outcome is Outcome.ANSWER
    assert sorted(txt.records) == ["other", "v=spf1 include:_spf.example.com -all"]
    assert resolver.txt("missing.example.com").outcome is Outcome.NXDOMAIN
    assert resolver.aaaa("example.com").outcome is Outcome.NODATA
    assert resolver.txt("_dmarc.example.com").outcome is Outcome.NODATA  # empty non-terminal
    assert resolver.txt("missing.example.com").void


def test_records_of_each_type(server: DNSServer) -> None:
    resolver = Resolver([server.nameserver], timeout=2)
    mx = resolver.mx("example.com")
    assert [(m.preference, m.host) for m in mx.mx] == [(10, "mail.example.com")]
    assert resolver.aaaa("mail.example.com").records == ("2001:db8::25",)
    assert resolver.caa("example.com").records == ('0 issue "letsencrypt.org"',)
    long_txt = resolver.txt("big.example.com").records[0]
    assert long_txt == "a" * 255 + "b" * 200


def test_cname_chain_and_dangling(server: DNSServer) -> None:
    resolver = Resolver([server.nameserver], timeout=2)
    www = resolver.a("www.example.com")
    assert www.records == ("192.0.2.80",)
    assert www.cnames == ("web.example.com", "host.example.com")
    dangle = resolver.txt("dangle.example.com")
    assert dangle.outcome is Outcome.NXDOMAIN
    assert dangle.cnames == ("nowhere.invalid",)


@pytest.mark.parametrize("mode", ["servfail", "refused"])
def test_server_failures_are_servfail(mode: str) -> None:
    with DNSServer(ZONE, mode=mode) as failing:
        lookup = Resolver([failing.nameserver], timeout=1).txt("example.com")
    assert lookup.outcome is Outcome.SERVFAIL
    assert lookup.failed and not lookup.void


def test_silent_server_is_timeout() -> None:
    with DNSServer(ZONE, mode="drop") as silent:
        lookup = Resolver([silent.nameserver], timeout=0.3).txt("example.com")
    assert lookup.outcome is Outcome.TIMEOUT
    assert lookup.failed


def test_truncated_udp_retries_over_tcp() -> None:
    with DNSServer(ZONE, mode="truncate") as truncating:
        lookup = Resolver([truncating.nameserver], timeout=2).txt("example.com")
        protocols = {proto for _, _, proto in truncating.queries}
    assert lookup.outcome is Outcome.ANSWER
    assert protocols == {"udp", "tcp"}


def test_per_name_fault(server: DNSServer) -> None:
    with DNSServer(ZONE, faults={"mail.example.com": "servfail"}) as partial:
        resolver = Resolver([partial.nameserver], timeout=1)
        assert resolver.a("mail.example.com").outcome is Outcome.SERVFAIL
        assert resolver.a("example.com").outcome is Outcome.ANSWER


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1", Nameserver("127.0.0.1", 53)), ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
     ("::1", Nameserver("::1", 53)), ("[::1]:5300", Nameserver("::1", 5300)), ("[::1]:53", Nameserver("::1", 53)),
     ("[::1]", Nameserver("::1", 53)), ("2001:db8::53", Nameserver("2001:db8::53", 53))],
)
def test_parse_nameserver(text: str, expected: Nameserver) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["dns.google", "1.2.3.4:0", "1.2.3.4:x", "[::1", "300.1.1.1"])
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(NameserverError):
        parse_nameserver(text)


def test_second_nameserver_answers_when_the_first_is_silent(server: DNSServer) -> None:
    with DNSServer(ZONE, mode="drop") as silent:
        lookup = Resolver([silent.nameserver, server.nameserver], timeout=0.3).txt("example.com")
    assert lookup.outcome is Outcome.ANSWER
