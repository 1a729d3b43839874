"""Edge cases from a review against RFC 7208, 6376/8301/8463, 7489 + DMARCbis and real zones.

Each scenario is a domain on its own loopback DNS server (dnslib), run through the gate.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gates.common.dns import Outcome, Resolver
from gates.config import Config
from gates.context import GateContext
from gates.email import Options, options_from_config, orgdomain, run
from gates.email.spf_syntax import parse
from gates.report import Status
from tests.email.conftest import Run, _der, ed_key, rsa_key, txt
from tests.servers.dns_server import DNSServer

KEY = rsa_key(2048)
SPACED_KEY = " ".join(KEY[i:i + 60] for i in range(0, len(KEY), 60))  # as some DNS panels show it
SIZES = "v=DMARC1; p=reject; np=reject; t=n; pct=100; rua=mailto:a@sizes.rv!10m, mailto:b@sizes.rv!500K"
LONG_KEY = _der(rsa.RSAPublicNumbers(65537, secrets.randbits(4104) | (1 << 4103) | 1).public_key())
LONG_SPF = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(1, 20)) + " include:_spf.ok.rv -all"


def _spf_type(owner: str, text: str) -> str:
    data = text.encode()
    return f"{owner} IN SPF {(bytes([len(data)]) + data).hex()}"  # the obsolete type 99, RFC 3597 rdata


ZONE = "\n".join([
    "$TTL 300",
    f'_spf.ok.rv. IN TXT {txt("v=spf1 ip4:192.0.2.0/24 -all")}',
    # SPF
    f'macros.rv. IN TXT {txt("v=spf1 include:%{d}._spf.macros.rv exists:%{ir}.%{v}._x.%{d2} -all")}',
    f'slashmacro.rv. IN TXT {txt("v=spf1 a:%{ir/}.a.slashmacro.rv/24 -all")}',
    f'redirall.rv. IN TXT {txt("v=spf1 ip4:192.0.2.1 -all redirect=nowhere.rv")}',
    f'upper.rv. IN TXT {txt("V=SPF1 IP4:192.0.2.1 INCLUDE:_SPF.OK.RV -ALL")}',
    f'spf10.rv. IN TXT {txt("v=spf10 -all")}',
    f'long.rv. IN TXT {txt(LONG_SPF)}',
    _spf_type("type99.rv.", "v=spf1 -all"),
    f'cidr33.rv. IN TXT {txt("v=spf1 ip4:192.0.2.0/33 -all")}',
    f'cidr0.rv. IN TXT {txt("v=spf1 ip4:192.0.2.0/024 -all")}',
    f'dualcidr.rv. IN TXT {txt("v=spf1 a/24 mx//64 a:host.dualcidr.rv/24//64 -all")}',
    "dualcidr.rv. IN A 192.0.2.8",
    "dualcidr.rv. IN MX 10 host.dualcidr.rv.",
    "host.dualcidr.rv. IN A 192.0.2.9",
    f'pmacro.rv. IN TXT {txt("v=spf1 exists:%{p}.%{i}._spf.pmacro.rv -all")}',
    f'eqtypo.rv. IN TXT {txt("v=spf1 include=_spf.ok.rv ~all")}',
    f'numeric.rv. IN TXT {txt("v=spf1 a:10.0.0.10 -all")}',
    f'incbad.rv. IN TXT {txt("v=spf1 include:bad.incbad.rv -all")}',
    f'bad.incbad.rv. IN TXT {txt("v=spf1 ip4:192.0.2.300 -all")}',
    f'voids.rv. IN TXT {txt("v=spf1 exists:nodata.voids.rv include:gone.voids.rv -all")}',
    f'nodata.voids.rv. IN TXT {txt("not an address")}',
    f'cnamespf.rv. IN TXT {txt("v=spf1 include:spf.cnamespf.rv -all")}',
    "spf.cnamespf.rv. IN CNAME _spf.ok.rv.",
    "alias.ok.rv. IN CNAME host.dualcidr.rv.",
    # 3 mx mechanisms of 10 hosts each (63 queries) before an include chain: 3 + 1 + 8 = 12 lookups
    f'fanout.rv. IN TXT {txt("v=spf1 mx:m1.fanout.rv mx:m2.fanout.rv mx:m3.fanout.rv include:c1.fanout.rv -all")}',
    *[f"m{m}.fanout.rv. IN MX {h} h{h}.m{m}.fanout.rv.\nh{h}.m{m}.fanout.rv. IN A 192.0.2.{h}"
      for m in (1, 2, 3) for h in range(10)],
    *[f'c{i}.fanout.rv. IN TXT {txt(f"v=spf1 include:c{i + 1}.fanout.rv -all")}' for i in range(1, 9)],
    f'c9.fanout.rv. IN TXT {txt("v=spf1 ip4:192.0.2.1 -all")}',
    f'redirnoall.rv. IN TXT {txt("v=spf1 redirect=_noall.redirnoall.rv")}',
    f'_noall.redirnoall.rv. IN TXT {txt("v=spf1 ip4:192.0.2.1")}',
    # TLS-RPT: a v=TLSRPTv10 record is another record, not a second TLS-RPT record
    f'_smtp._tls.rpt.rv. IN TXT {txt("v=TLSRPTv1; rua=mailto:tls@rpt.rv")}',
    f'_smtp._tls.rpt.rv. IN TXT {txt("v=TLSRPTv10; rua=mailto:tls@rpt.rv")}',
    # DKIM
    f"spaced._domainkey.dk.rv. IN TXT {txt('v=DKIM1; k=rsa; p=' + SPACED_KEY)}",
    f"bare._domainkey.dk.rv. IN TXT {txt('p=' + KEY)}",
    f"vlast._domainkey.dk.rv. IN TXT {txt('k=rsa; p=' + KEY + '; v=DKIM1')}",
    f"both._domainkey.dk.rv. IN TXT {txt('v=DKIM1; h=sha1:sha256; p=' + KEY)}",
    f"ys._domainkey.dk.rv. IN TXT {txt('v=DKIM1; t=y:s; p=' + KEY)}",
    "keyless._domainkey.dk.rv. IN CNAME host.dualcidr.rv.",
    # a well-formed SubjectPublicKeyInfo for an algorithm nobody knows (OID 1.2.3.4)
    f"oddalg._domainkey.dk.rv. IN TXT {txt('v=DKIM1; p=MAwwBQYDKgMEAwMAAQI=')}",
    f"long._domainkey.dk.rv. IN TXT {txt('v=DKIM1; p=' + LONG_KEY)}",
    f"ed._domainkey.dk.rv. IN TXT {txt('v=DKIM1; k=ed25519; p=' + ed_key())}",
    # DMARC
    f'_dmarc.v10.rv. IN TXT {txt("v=DMARC10; p=none")}',
    f'_dmarc.v10.rv. IN TXT {txt("v=DMARC1; p=reject; rua=mailto:d@v10.rv")}',
    f"_dmarc.sizes.rv. IN TXT {txt(SIZES)}",
    f'_dmarc.httpsrua.rv. IN TXT {txt("v=DMARC1; p=reject; rua=https://reports.example/dmarc,mailto:d@httpsrua.rv")}',
    f'_dmarc.pct0.rv. IN TXT {txt("v=DMARC1; p=reject; pct=0; rua=mailto:d@pct0.rv")}',
    f'_dmarc.brand.co.uk. IN TXT {txt("v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@brand.co.uk")}',
    f'_dmarc.shop.xn--55qx5d.cn. IN TXT {txt("v=DMARC1; p=reject; rua=mailto:d@shop.xn--55qx5d.cn")}',
    f'_dmarc.xn--55qx5d.cn. IN TXT {txt("v=DMARC1; p=none; rua=mailto:d@xn--55qx5d.cn")}',
    # IDN, upper case, trailing dot
    f'xn--strae-oqa.rv. IN TXT {txt("v=spf1 -all")}',
    f'_dmarc.xn--strae-oqa.rv. IN TXT {txt("v=DMARC1; p=reject")}',
    # DMARC through a CNAME (a hosted DMARC service)
    "_dmarc.hosted.rv. IN CNAME hosted.dmarc-service.rv.",
    f'hosted.dmarc-service.rv. IN TXT {txt("v=DMARC1; p=reject; rua=mailto:d@hosted.rv")}',
]) + "\n"


@pytest.fixture(scope="module")
def server() -> Iterator[DNSServer]:
    with DNSServer(ZONE) as dns:
        yield dns


@pytest.fixture
def gate(server: DNSServer) -> Callable[..., Run]:
    def run_gate(domain: str, **kwargs: object) -> Run:
        kwargs.setdefault("mta_sts_fetch", False)
        options = Options(domains=(domain,), nameservers=(server.nameserver,), timeout_s=2.0,
                          **kwargs)  # type: ignore[arg-type]
        return Run(run(options))

    return run_gate


# -- SPF ------------------------------------------------------------------------------------------

def test_macro_targets_count_as_lookups_but_are_never_void(gate: Callable[..., Run]) -> None:
    spf = gate("macros.rv").checks["spf"]
    assert spf.properties["lookups"] == 2
    assert spf.properties["void_lookups"] == 0
    assert spf.status is Status.PASSED, spf.findings


def test_macro_with_slash_delimiter_is_not_a_cidr(gate: Callable[..., Run]) -> None:
    run = gate("slashmacro.rv")
    assert "spf-syntax" not in run.rules("spf")
    assert run.checks["spf"].properties["lookups"] == 1
    term = parse("v=spf1 a:%{ir/}.a.example.com/24 -all").terms[0]
    assert (term.value, term.cidr4) == ("%{ir/}.a.example.com", 24)


def test_redirect_ignored_when_all_present(gate: Callable[..., Run]) -> None:
    run = gate("redirall.rv")
    assert run.rules("spf") == ["spf-redirect-ignored"]
    assert run.checks["spf"].properties["lookups"] == 0


def test_mechanisms_and_version_are_case_insensitive(gate: Callable[..., Run]) -> None:
    run = gate("upper.rv")
    assert run.checks["spf"].status is Status.PASSED, run.checks["spf"].findings
    assert run.checks["spf"].properties["lookups"] == 1


def test_spf10_is_not_spf(gate: Callable[..., Run]) -> None:
    assert gate("spf10.rv").rules("spf") == ["spf-missing"]


def test_record_over_255_bytes_is_joined(gate: Callable[..., Run]) -> None:
    assert len(LONG_SPF) > 255
    spf = gate("long.rv").checks["spf"]
    assert spf.status is Status.PASSED, spf.findings
    assert "ip4:198.51.100.19 include:_spf.ok.rv" in spf.output


def test_obsolete_spf_type_99_is_named(gate: Callable[..., Run]) -> None:
    run = gate("type99.rv")
    assert run.rules("spf") == ["spf-missing"]
    message = run.checks["spf"].findings[0].message
    assert "type 99" in message and "TXT" in message


@pytest.mark.parametrize("domain", ["cidr33.rv", "cidr0.rv", "numeric.rv"])
def test_invalid_networks_and_numeric_domains(gate: Callable[..., Run], domain: str) -> None:
    assert "spf-syntax" in gate(domain).rules("spf")


def test_p_macro_is_deprecated_like_ptr(gate: Callable[..., Run]) -> None:
    run = gate("pmacro.rv")
    assert run.rules("spf") == ["spf-ptr"]
    assert "%{p}" in run.checks["spf"].findings[0].message
    assert run.checks["spf"].properties["void_lookups"] == 0


def test_mechanism_written_as_modifier_is_named(gate: Callable[..., Run]) -> None:
    run = gate("eqtypo.rv")
    assert run.rules("spf") == ["spf-unknown-modifier"]
    assert run.checks["spf"].properties["lookups"] == 0  # receivers skip it: nothing is looked up
    assert "include:_spf.ok.rv" in (run.checks["spf"].findings[0].fix or "")


def test_dual_cidr_forms(gate: Callable[..., Run]) -> None:
    spf = gate("dualcidr.rv").checks["spf"]
    assert spf.status is Status.PASSED, spf.findings
    assert spf.properties["lookups"] == 3
    terms = parse("v=spf1 a/24 mx//64 a:x.example.com/24//64 -all").terms
    assert [(t.value, t.cidr4, t.cidr6) for t in terms[:3]] == [("", 24, None), ("", None, 64),
                                                                ("x.example.com", 24, 64)]


def test_include_of_a_record_with_a_permerror_blocks(gate: Callable[..., Run]) -> None:
    run = gate("incbad.rv")
    assert "spf-syntax" in run.rules("spf")
    assert run.checks["spf"].status is Status.FAILED


def test_exists_nodata_and_include_nxdomain_are_void(gate: Callable[..., Run]) -> None:
    run = gate("voids.rv")
    spf = run.checks["spf"]
    assert spf.properties["void_lookups"] == 2
    assert "spf-include-missing" in run.rules("spf")
    assert "exists:nodata.voids.rv" in spf.output


def test_include_through_cname(gate: Callable[..., Run]) -> None:
    spf = gate("cnamespf.rv").checks["spf"]
    assert spf.status is Status.PASSED, spf.findings


def test_wide_tree_is_walked_to_the_end(gate: Callable[..., Run]) -> None:
    run = gate("fanout.rv")
    spf = run.checks["spf"]
    assert spf.properties["lookups"] == 12
    assert "spf-lookup-limit" in run.rules("spf")


def test_redirect_target_without_all_is_named(gate: Callable[..., Run]) -> None:
    run = gate("redirnoall.rv")
    assert run.rules("spf") == ["spf-no-all"]
    assert "redirect=_noall.redirnoall.rv" in run.checks["spf"].findings[0].message


def test_tls_rpt_other_version_is_not_a_duplicate(gate: Callable[..., Run]) -> None:
    assert gate("rpt.rv").rules("tls-rpt") == []


# -- DKIM -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("selector", "rules", "status"), [
    ("spaced", [], Status.PASSED),  # whitespace inside p= is folding, not part of the key
    ("bare", [], Status.PASSED),  # v= is optional and k=rsa the default
    ("vlast", ["dkim-version"], Status.FAILED),  # v= present must come first
    ("both", [], Status.PASSED),  # sha1 allowed next to sha256
    ("ys", ["dkim-testing"], Status.PASSED),  # t=y:s is still testing
    ("ed", [], Status.PASSED),
    ("long", ["dkim-long-key"], Status.PASSED),  # over 4096 bits: not every verifier handles it
    ("oddalg", ["dkim-bad-key"], Status.FAILED),  # unknown key algorithm: a finding, not a crash
])
def test_dkim_key_records(gate: Callable[..., Run], selector: str, rules: list[str], status: Status) -> None:
    run = gate("dk.rv", dkim_selectors=(selector,))
    assert run.rules("dkim") == rules
    assert run.checks["dkim"].status is status


def test_dkim_cname_to_a_name_without_txt(gate: Callable[..., Run]) -> None:
    run = gate("dk.rv", dkim_selectors=("keyless",))
    assert run.rules("dkim") == ["dkim-cname-dangling"]
    message = run.checks["dkim"].findings[0].message
    assert "no TXT record" in message and "does not exist" not in message


# -- DMARC ----------------------------------------------------------------------------------------

def test_dmarc10_is_not_a_second_dmarc_record(gate: Callable[..., Run]) -> None:
    run = gate("v10.rv")
    assert run.rules("dmarc") == []
    assert run.checks["dmarc"].properties["policy"] == "reject"


def test_size_limits_and_several_rua(gate: Callable[..., Run]) -> None:
    run = gate("sizes.rv")
    assert run.rules("dmarc") == []
    assert run.checks["dmarc"].status is Status.PASSED


def test_non_mailto_rua_is_a_warning_not_an_invalid_record(gate: Callable[..., Run]) -> None:
    run = gate("httpsrua.rv")
    assert run.rules("dmarc") == ["dmarc-report-uri"]
    assert run.checks["dmarc"].properties["policy"] == "reject"
    assert run.checks["dmarc"].status is Status.PASSED


def test_pct_zero(gate: Callable[..., Run]) -> None:
    assert gate("pct0.rv").rules("dmarc") == ["dmarc-pct"]
    assert gate("pct0.rv", policy="strict").checks["dmarc"].status is Status.FAILED


def test_org_domain_under_multi_label_suffix(gate: Callable[..., Run]) -> None:
    dmarc = gate("mail.brand.co.uk").checks["dmarc"]
    assert dmarc.properties["inherited"] is True
    assert dmarc.properties["policy"] == "quarantine"
    assert dmarc.properties["psl_source"]


def test_org_domain_under_idn_suffix(gate: Callable[..., Run]) -> None:
    # 公司.cn is a public suffix: shop.公司.cn is the organizational domain, not 公司.cn itself.
    assert orgdomain.organizational_domain("mail.shop.xn--55qx5d.cn") == "shop.xn--55qx5d.cn"
    dmarc = gate("mail.shop.xn--55qx5d.cn").checks["dmarc"]
    assert dmarc.properties["policy"] == "reject"


def test_psl_sources_fall_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = (tmp_path / "none.dat",)
    try:
        monkeypatch.setattr(orgdomain, "PSL_PATHS", missing)
        orgdomain._rules.cache_clear()
        source = orgdomain.psl_source()
        assert source.startswith("publicsuffixlist") or source.startswith("built-in")
        assert orgdomain.organizational_domain("a.b.example.co.uk") == "example.co.uk"
        monkeypatch.setattr(orgdomain, "PACKAGE_PSL", lambda: None)
        orgdomain._rules.cache_clear()
        assert orgdomain.psl_source().startswith("built-in")
        assert orgdomain.organizational_domain("a.b.example.co.uk") == "example.co.uk"
        assert orgdomain.organizational_domain("x.y.example.com") == "example.com"
    finally:
        orgdomain._rules.cache_clear()


def test_dmarc_through_cname(gate: Callable[..., Run]) -> None:
    assert gate("hosted.rv").rules("dmarc") == []


# -- domain names ---------------------------------------------------------------------------------

def _ctx() -> GateContext:
    root = Path(".").resolve()
    return GateContext(root=root, config=Config(None, root, {}))


@pytest.mark.parametrize(("given", "expected"), [
    ("straße.rv", "xn--strae-oqa.rv"),  # IDNA 2008, not the IDNA 2003 mapping to strasse.rv
    ("GOOD.Example.", "good.example"),
    ("Bücher.example", "xn--bcher-kva.example"),
])
def test_domain_names_normalised(given: str, expected: str) -> None:
    options = options_from_config({"domains": [given]}, _ctx())
    assert options.domains == (expected,)


def test_idn_domain_checked_under_its_a_label(gate: Callable[..., Run], server: DNSServer) -> None:
    options = options_from_config({"domains": ["Straße.rv."], "nameservers": [server.nameserver],
                                   "mta_sts_fetch": False}, _ctx())
    checked = Run(run(options))
    assert checked.checks["spf"].status is Status.PASSED
    assert checked.checks["dmarc"].properties["policy"] == "reject"


# -- DNS ------------------------------------------------------------------------------------------

def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_nameserver_given_as_bracketed_ipv6() -> None:
    with DNSServer(ZONE, address="::1") as dns:
        assert dns.nameserver.startswith("[::1]:")
        resolver = Resolver([dns.nameserver], timeout=2.0)
        assert resolver.txt("_spf.ok.rv").records == ("v=spf1 ip4:192.0.2.0/24 -all",)
        assert resolver.txt("gone.ok.rv").outcome is Outcome.NXDOMAIN
        checked = Run(run(Options(domains=("upper.rv",), nameservers=(dns.nameserver,), timeout_s=2.0,
                                  mta_sts_fetch=False)))
        assert checked.checks["spf"].status is Status.PASSED
        assert {protocol for _, _, protocol in dns.queries} == {"udp"}


def test_cname_at_a_txt_name_to_a_name_without_txt_is_nodata(server: DNSServer) -> None:
    resolver = Resolver([server.nameserver], timeout=2.0)
    lookup = resolver.txt("alias.ok.rv")
    assert lookup.outcome is Outcome.NODATA
    assert lookup.cnames == ("host.dualcidr.rv",)
