"""Answers real sites give that the rules misread before: one loopback world holding all of them.

Each assertion names what the gate said before its fix."""

from __future__ import annotations

import pytest

from gates.edge import run
from gates.edge.options import from_section
from gates.errors import ConfigError
from gates.report import Report, Severity, Status
from tests.servers.edge_app import DOMAIN, SECURITY_HEADERS, Page, good_site

APEX, APP, API = DOMAIN, f"app.{DOMAIN}", f"api.{DOMAIN}"
SCRIPT_PAGE = "<html><head><script src='http://cdn.example.org/app.js'></script></head><body>Hi</body></html>"
IMAGE_PAGE = "<html><body><img src='http://cdn.example.org/logo.png'></body></html>"


def by_rule(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in report.findings:
        found.setdefault(f.rule, []).append(f"{f.severity.value}: {f.message}")
    return found


def test_real_world_answers(world) -> None:  # type: ignore[no-untyped-def]
    site = good_site()
    apex = site.hosts[APEX]
    # A CDN that gzips whatever the client asked: the http:// script was inside bytes nobody decompressed.
    apex.pages["/"] = Page(body=SCRIPT_PAGE, gzip=True)
    # The app and a CDN both add HSTS: the joined value "max-age=..., max-age=...; ..." read as invalid.
    app = site.hosts[APP]
    app.headers = {k: v for k, v in SECURITY_HEADERS.items() if k != "Strict-Transport-Security"}
    app.headers["Content-Security-Policy"] += "; upgrade-insecure-requests"
    app.pages["/"] = Page(body=IMAGE_PAGE, extra_headers=[
        ("Strict-Transport-Security", "max-age=31536000"),
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ])
    # A redirect without a Location: the host "served" it and passed.
    site.hosts[API].pages["/"] = Page(status=301, body="")
    login = apex.pages["/api/login"]
    login.cookies += [
        "__Host-sid=h0st; Path=/; Domain=example.test; Secure; HttpOnly; SameSite=Lax",  # browsers drop it
        "old_session=; Max-Age=0; Path=/",  # a deletion: was blocked for lacking Secure and HttpOnly
    ]
    # private="Set-Cookie" only keeps that header out of a CDN: it read as private.
    apex.pages["/account"] = Page(headers={"Cache-Control": 'private="Set-Cookie, Authorization", max-age=600'})
    # no-store wins over public: it read as publicly cacheable.
    apex.pages["/settings"] = Page(headers={"Cache-Control": "no-store, public"})
    # CDN-Cache-Control (RFC 9213) overrides Cache-Control at the edge: it read as private.
    apex.pages["/billing"] = Page(headers={"Cache-Control": "private", "CDN-Cache-Control": "max-age=600"})

    report = run(from_section(world(site, private_paths=["/dashboard", "/account", "/settings", "/billing"])))
    found = by_rule(report)
    checks = {c.name: c for c in report.checks}

    assert any(f"https://{APEX}/" in m for m in found["edge.content.mixed-active"])
    assert "edge.hsts.invalid" not in found
    assert checks[f"hsts {APP}"].status is Status.PASSED
    assert found["edge.hsts.multiple"] == [f"warning: https://{APP}/ sends 2 HSTS headers; browsers use only the first"]
    assert found["edge.content.upgraded"][0].startswith("info: ") and "edge.content.mixed-passive" not in found
    assert any(API in m for m in found["edge.redirect.no-location"])
    assert found["edge.cookie.prefix"] == [
        f"error: cookie __Host-sid set by {APEX}: browsers reject this __Host- cookie because it names a Domain"]
    assert not any("old_session" in m for rule in found.values() for m in rule)
    assert checks["cache private /account"].status is Status.FAILED
    assert checks["cache private /settings"].status is Status.PASSED
    assert checks["cache private /billing"].status is Status.FAILED
    assert "CDN-Cache-Control: max-age=600" in checks["cache private /billing"].findings[0].evidence
    assert "h0st" not in "".join(c.summary + c.output for c in report.checks)


def test_hsts_directive_given_twice_is_invalid(world) -> None:  # type: ignore[no-untyped-def]
    # RFC 6797 6.1: browsers ignore the whole header; the first max-age used to be taken.
    site = good_site()
    site.hosts[APP].headers["Strict-Transport-Security"] = "max-age=63072000; max-age=0"
    report = run(from_section(world(site)))
    assert [f.severity for f in report.findings if f.rule == "edge.hsts.invalid"] == [Severity.ERROR]


@pytest.mark.parametrize(("section", "words"), [
    ({"canonical": "https://[::1"}, "[edge] canonical"),  # a ValueError traceback
    ({"canonical": f"https://{DOMAIN}:99999"}, "[edge] canonical"),  # a ValueError traceback
    ({"public_paths": ["http://[::1"]}, "[edge] public_paths"),  # a traceback in a probe thread
    ({"legacy_redirects": {"/old": "http://[::1"}}, "[edge] legacy_redirects./old"),
    ({"login": {"path": "/login", "method": "G T"}}, "[edge] login.method"),
    ({"login": {"path": "/login", "headers": {"Bad H": "x"}}}, "[edge] login.headers.Bad H"),
])
def test_bad_values_are_config_errors(section: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        from_section({"domain": DOMAIN, "canonical": f"https://{DOMAIN}", **section})


def test_a_ca_bundle_that_is_not_pem_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # It used to reach the TLS probes and turn every host into "could not evaluate".
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="ca_bundle: .*not a PEM certificate bundle"):
        from_section({"domain": DOMAIN, "canonical": f"https://{DOMAIN}", "ca_bundle": str(bundle)})


def test_internationalised_names_are_compared_in_their_ascii_form() -> None:
    # Location headers, certificates and DNS carry xn-- names: "bücher.example" was refused outright.
    options = from_section({"domain": "Bücher.example", "canonical": "https://www.bücher.example:443/",
                            "hosts": {"APP.bücher.example.": "serve"}})
    assert options.domain == "xn--bcher-kva.example"
    assert options.canonical == "https://www.xn--bcher-kva.example"  # :443 used to stay and never match
    assert set(options.hosts) == {"www.xn--bcher-kva.example", "xn--bcher-kva.example", "app.xn--bcher-kva.example"}


def test_an_answer_that_trickles_in_is_cut_at_the_timeout() -> None:
    # Every chunk came within the read timeout: a 60 s event stream held the gate for 60 s.
    from gates.edge.network import Fetcher, Network
    from tests.servers.http_app import serve

    with serve() as app:
        fetcher = Fetcher(Network(pinned={("events.test", 80): "127.0.0.1"}, http_port=app.port, timeout=0.5))
        try:
            answer = fetcher.request("http://events.test/drip?n=600&every=0.1")
        finally:
            fetcher.close()
    assert answer.status == 200
    assert answer.body.startswith(b"data: tick") and len(answer.body) < 600 * len(b"data: tick\n\n")


def test_an_api_host_answering_404_at_its_root_is_a_warning(world) -> None:  # type: ignore[no-untyped-def]
    # APIs often have nothing at /: that blocked the release as a "broken landing". The canonical site
    # answering 404 at / still blocks.
    site = good_site()
    site.hosts[API].pages = {}
    report = run(from_section(world(site)))
    landing = [f for f in report.findings if f.rule == "edge.redirect.broken-landing"]
    assert [f.severity for f in landing] == [Severity.WARNING] and API in landing[0].message
    assert report.exit_code == 0
    site.hosts[APEX].pages.pop("/")
    report = run(from_section(world(site)))
    assert {f.severity for f in report.findings if f.rule == "edge.redirect.broken-landing"} == {
        Severity.WARNING, Severity.ERROR}


def test_a_body_that_is_not_what_its_content_encoding_says_keeps_its_headers(certs) -> None:  # type: ignore[no-untyped-def]
    # httpx fails decoding it; the whole answer used to become "could not evaluate".
    from gates.edge.network import Fetcher, Network
    from tests.servers.edge_app import edge_servers

    site = good_site()
    site.hosts[APEX].pages["/bad-gzip"] = Page(body="plain text", headers={"Content-Encoding": "gzip"})
    with edge_servers(site, certs) as ports:
        pinned = {(APEX, 80): "127.0.0.1", (APEX, 443): "127.0.0.1"}
        fetcher = Fetcher(Network(pinned=pinned, http_port=ports.http, https_port=ports.https))
        try:
            answer = fetcher.request(f"https://{APEX}/bad-gzip")
        finally:
            fetcher.close()
    assert answer.status == 200 and answer.headers["strict-transport-security"]
