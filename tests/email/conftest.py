"""One loopback DNS server serving every email scenario, one domain per scenario (under .test)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from functools import cache

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from gates.email import Options, run
from gates.report import Check, Report
from tests.servers.dns_server import DNSServer

STS_DOMAINS = ("sts.test", "stsbad.test", "stsnohost.test", "sts404.test", "ststesting.test", "stsbroken.test")
PLANTED = "ghp_" + "Zq9x" * 9  # a token-shaped value published in a TXT record (redaction test)


def txt(value: str) -> str:
    """A TXT rdata in zone syntax, split into 255-byte strings as a real zone must."""
    return " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255)) or '""'


def _der(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        raw = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(raw).decode()


@cache
def rsa_key(bits: int) -> str:
    if bits < 1024:  # cryptography will not generate weak keys; a public key only needs a modulus
        modulus = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        return _der(rsa.RSAPublicNumbers(65537, modulus).public_key())
    return _der(rsa.generate_private_key(65537, bits).public_key())


def ed_key() -> str:
    return _der(ed25519.Ed25519PrivateKey.generate().public_key())


def include_chain(name: str, lookups: int) -> str:
    """Zone lines for `name` whose SPF evaluation costs exactly `lookups` DNS lookups."""
    lines = []
    for index in range(lookups + 1):
        here = name if index == 0 else f"l{index}.{name}"
        last = index == lookups
        body = "ip4:192.0.2.1 -all" if last else f"include:l{index + 1}.{name}. -all"
        lines.append(f"{here}. IN TXT {txt('v=spf1 ' + body)}")
    return "\n".join(lines)


def zone() -> str:
    dmarc_ok = txt("v=DMARC1; p=reject; rua=mailto:dmarc@good.test")
    parts = [
        "$TTL 300",
        # a valid setup
        f'good.test. IN TXT {txt("v=spf1 include:_spf.good.test mx -all")}',
        f'_spf.good.test. IN TXT {txt("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")}',
        "good.test. IN MX 10 mail.good.test.",
        "mail.good.test. IN A 192.0.2.25",
        f"s1._domainkey.good.test. IN TXT {txt('v=DKIM1; k=rsa; p=' + rsa_key(2048))}",
        f"_dmarc.good.test. IN TXT {dmarc_ok}",
        f'_mta-sts.good.test. IN TXT {txt("v=STSv1; id=20240101T000000")}',
        f'_smtp._tls.good.test. IN TXT {txt("v=TLSRPTv1; rua=mailto:tls@good.test")}',
        # SPF: lookup limit 10 / 11 through nested includes
        include_chain("ten.test", 10),
        include_chain("eleven.test", 11),
        # SPF: void lookups 2 / 3
        f'void2.test. IN TXT {txt("v=spf1 a:gone1.void2.test a:gone2.void2.test -all")}',
        f'void3.test. IN TXT {txt("v=spf1 a:gone1.void3.test exists:gone2.void3.test mx:gone3.void3.test -all")}',
        # `a mx` on a name with only IPv4: neither is a void lookup
        f'amx.test. IN TXT {txt("v=spf1 a mx -all")}',
        "amx.test. IN A 192.0.2.5",
        "amx.test. IN MX 10 mx1.amx.test.",
        "amx.test. IN MX 20 mx2.amx.test.",
        "mx1.amx.test. IN A 192.0.2.6",
        "mx2.amx.test. IN A 192.0.2.7",
        # SPF: 11 MX hosts
        f'mxlimit.test. IN TXT {txt("v=spf1 mx -all")}',
        *[f"mxlimit.test. IN MX {i} h{i}.mxlimit.test.\nh{i}.mxlimit.test. IN A 192.0.2.{i}" for i in range(11)],
        f'two.test. IN TXT {txt("v=spf1 ip4:192.0.2.1 -all")}',
        f'two.test. IN TXT {txt("v=spf1 include:_spf.good.test -all")}',
        f'plusall.test. IN TXT {txt("v=spf1 ip4:192.0.2.1 +all")}',
        f'neutral.test. IN TXT {txt("v=spf1 ip4:192.0.2.1 ?all")}',
        f'noall.test. IN TXT {txt("v=spf1 ip4:192.0.2.1")}',
        f'afterall.test. IN TXT {txt("v=spf1 ip4:192.0.2.1 -all include:_spf.good.test a")}',
        f'ptr.test. IN TXT {txt("v=spf1 ptr -all")}',
        f'loop.test. IN TXT {txt("v=spf1 include:loop2.test -all")}',
        f'loop2.test. IN TXT {txt("v=spf1 include:loop.test -all")}',
        f'redirnone.test. IN TXT {txt("v=spf1 redirect=nothing.test")}',
        f'redirok.test. IN TXT {txt("v=spf1 redirect=_spf.good.test")}',
        'split.test. IN TXT "v=spf1 ip4:192.0" ".2.1 include:_spf.good" ".test -all"',
        f'macros.test. IN TXT {txt("v=spf1 exists:%{i}._spf.%{d} include:_spf.good.test -all")}',
        f'badmacro.test. IN TXT {txt("v=spf1 include:%{z}.good.test -all")}',
        f'malformed.test. IN TXT {txt("v=spf1 ip4:999.1.1.1 foo:bar a:/33 -all")}',
        f'leading.test. IN TXT {txt(" v=spf1 -all")}',
        f'_dmarc.leading.test. IN TXT {txt("p=reject; v=DMARC1")}',
        f"service._domainkey.dk.test. IN TXT {txt('v=DKIM1; s=tlsrpt; p=' + rsa_key(2048))}",
        f'planted.test. IN TXT {txt("v=spf1 token=" + PLANTED + " -all")}',
        # DKIM selectors at dk.test
        f"rsa512._domainkey.dk.test. IN TXT {txt('v=DKIM1; k=rsa; p=' + rsa_key(512))}",
        f"rsa1024._domainkey.dk.test. IN TXT {txt('v=DKIM1; k=rsa; p=' + rsa_key(1024))}",
        f"rsa2048._domainkey.dk.test. IN TXT {txt('v=DKIM1; k=rsa; p=' + rsa_key(2048))}",
        f"ed._domainkey.dk.test. IN TXT {txt('v=DKIM1; k=ed25519; p=' + ed_key())}",
        f"revoked._domainkey.dk.test. IN TXT {txt('v=DKIM1; k=rsa; p=')}",
        f"testing._domainkey.dk.test. IN TXT {txt('v=DKIM1; t=y; k=rsa; p=' + rsa_key(2048))}",
        f"sha1._domainkey.dk.test. IN TXT {txt('v=DKIM1; h=sha1; p=' + rsa_key(2048))}",
        f"garbled._domainkey.dk.test. IN TXT {txt('v=DKIM1; k=rsa; p=not!base64')}",
        "cnamed._domainkey.dk.test. IN CNAME cnamed.dkim.esp.test.",
        f"cnamed.dkim.esp.test. IN TXT {txt('v=DKIM1; k=rsa; p=' + rsa_key(2048))}",
        "dangling._domainkey.dk.test. IN CNAME gone.dkim.esp.test.",
        f"selector1._domainkey.probe.test. IN TXT {txt('v=DKIM1; p=')}",
        f"google._domainkey.probe.test. IN TXT {txt('v=DKIM1; k=rsa; p=' + rsa_key(2048))}",
        # DMARC
        f'_dmarc.pnone.test. IN TXT {txt("v=DMARC1; p=none; rua=mailto:d@pnone.test")}',
        f'_dmarc.norua.test. IN TXT {txt("v=DMARC1; p=none")}',
        f'_dmarc.pct50.test. IN TXT {txt("v=DMARC1; p=quarantine; pct=50; rua=mailto:d@pct50.test")}',
        f'_dmarc.badpolicy.test. IN TXT {txt("v=DMARC1; p=maybe; rua=mailto:d@badpolicy.test")}',
        f'_dmarc.inherit.test. IN TXT {txt("v=DMARC1; p=reject; sp=none; rua=mailto:d@inherit.test")}',
        f'mail.inherit.test. IN TXT {txt("v=spf1 include:_spf.good.test -all")}',
        "mail.inherit.test. IN MX 10 mail.good.test.",
        f'_dmarc.twodmarc.test. IN TXT {txt("v=DMARC1; p=reject")}',
        f'_dmarc.twodmarc.test. IN TXT {txt("v=DMARC1; p=none")}',
        f'_dmarc.extok.test. IN TXT {txt("v=DMARC1; p=reject; rua=mailto:agg@reports.example")}',
        f'extok.test._report._dmarc.reports.example. IN TXT {txt("v=DMARC1")}',
        f'_dmarc.extbad.test. IN TXT {txt("v=DMARC1; p=reject; rua=mailto:agg@reports.example")}',
        f'_dmarc.npnone.test. IN TXT {txt("v=DMARC1; p=reject; np=none; rua=mailto:d@npnone.test")}',
        f'_dmarc.noreports.test. IN TXT {txt("v=DMARC1; p=reject")}',
        f'apex.test. IN TXT {txt("v=DMARC1; p=reject")}',
        f'_dmarc.testing.test. IN TXT {txt("v=DMARC1; p=reject; t=y; rua=mailto:d@testing.test")}',
        # MX
        "nullmx.test. IN MX 0 .",
        f'nullmx.test. IN TXT {txt("v=spf1 -all")}',
        f'_dmarc.nullmx.test. IN TXT {txt("v=DMARC1; p=reject")}',
        "nullsends.test. IN MX 0 .",
        f'nullsends.test. IN TXT {txt("v=spf1 include:_spf.good.test ~all")}',
        "badmx.test. IN MX 10 nowhere.badmx.test.",
        # MTA-STS / TLS-RPT
        f'_mta-sts.badsts.test. IN TXT {txt("v=STSv1; id=not valid!")}',
        f'_smtp._tls.badsts.test. IN TXT {txt("v=TLSRPTv1; rua=ftp://x")}',
        *[f'_mta-sts.{d}. IN TXT {txt("v=STSv1; id=2024")}' for d in STS_DOMAINS],
        *[f"mta-sts.{d}. IN A 127.0.0.1" for d in STS_DOMAINS if d != "stsnohost.test"],
        *[f"{d}. IN MX 10 mx1.sts.test." for d in STS_DOMAINS if d != "stsbad.test"],
        "stsbad.test. IN MX 10 mail.good.test.",
        "mx1.sts.test. IN A 192.0.2.30",
    ]
    return "\n".join(parts) + "\n"


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DNSServer]:
    with DNSServer(zone()) as server:
        yield server


@pytest.fixture(scope="session")
def zone_text() -> str:
    return zone()


class Run:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.checks: dict[str, Check] = {c.group: c for c in report.checks}

    def rules(self, family: str) -> list[str]:
        return [f.rule for f in self.checks[family].findings]


@pytest.fixture
def gate(dns_server: DNSServer) -> Callable[..., Run]:
    def run_gate(domain: str, **kwargs: object) -> Run:
        options = Options(domains=(domain,), nameservers=(dns_server.nameserver,), timeout_s=2.0,
                          **kwargs)  # type: ignore[arg-type]
        return Run(run(options))

    return run_gate
