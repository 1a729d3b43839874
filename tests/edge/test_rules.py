"""The edge gate's rules on answers built in memory: options, HSTS, cache, cookies, mixed content."""

from __future__ import annotations

import httpx
import pytest

from gates.edge import cache, content, cookies, headers
from gates.edge.network import Answer, Network
from gates.edge.options import from_section
from gates.errors import ConfigError, NotConfigured
from gates.report import Severity


def answer(url: str = "https://example.test/", status: int = 200, **fields: str) -> Answer:
    # As bytes, the way they come off the wire (a Location may hold raw UTF-8).
    pairs = [(name.replace("_", "-").encode(), value.encode()) for name, value in fields.items()]
    return Answer(url, status, httpx.Headers(pairs), b"")


def rules(findings: list) -> dict[str, Severity]:
    return {f.rule: f.severity for f in findings}


# --- options ----------------------------------------------------------------------------------------------


def test_options_add_the_canonical_host_and_the_apex():
    options = from_section({"domain": "Example.TEST.", "canonical": "https://www.example.test/",
                            "hosts": {"app.example.test": "serve"}})
    assert options.canonical == "https://www.example.test"
    assert dict(options.hosts) == {"www.example.test": "serve", "example.test": "redirect",
                                   "app.example.test": "serve"}


def test_options_parse_resolve_and_nameservers():
    options = from_section({"domain": "example.test", "canonical": "https://example.test",
                            "resolve": ["example.test:443:127.0.0.1", "www.example.test:80:[::1]"],
                            "nameservers": ["127.0.0.1:5353", "[::1]:53", "::1"]})
    assert options.resolve == {("example.test", 443): "127.0.0.1", ("www.example.test", 80): "::1"}
    assert options.nameservers == ("127.0.0.1:5353", "[::1]:53", "[::1]:53")


@pytest.mark.parametrize(("section", "message"), [
    ({"canonical": "https://example.test"}, None),
    ({"domain": "example.test"}, None),
    ({"domain": "example.test", "canonical": "example.test"}, "[edge] canonical: expected an https origin"),
    ({"domain": "example.test", "canonical": "http://example.test"}, "[edge] canonical: expected an https origin"),
    ({"domain": "example.test", "canonical": "https://example.test/app"}, "[edge] canonical"),
    ({"domain": "bad domain", "canonical": "https://example.test"}, "[edge] domain"),
    ({"domain": "example.test", "canonical": "https://example.test", "hosts": {"example.test": "redirect"}},
     "it is the canonical host"),
    ({"domain": "example.test", "canonical": "https://example.test", "nameservers": ["dns.example"]},
     "[edge] nameservers"),
    ({"domain": "example.test", "canonical": "https://example.test", "min_cert_days": -1}, "[edge] min_cert_days"),
    ({"domain": "example.test", "canonical": "https://example.test", "private_paths": ["dashboard"]},
     "[edge] private_paths"),
    ({"domain": "example.test", "canonical": "https://example.test", "ca_bundle": "/no/such/ca.pem"},
     "[edge] ca_bundle: file not found"),
    ({"domain": "example.test", "canonical": "https://example.test", "login": {"json": {}}}, "[edge] login"),
])
def test_options_reject_bad_values(section, message):
    if message is None:
        with pytest.raises(NotConfigured):
            from_section(section)
    else:
        with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
            from_section(section)


def test_login_password_is_a_secret():
    options = from_section({"domain": "example.test", "canonical": "https://example.test",
                            "login": {"path": "/login", "form": {"user": "demo", "password": "pw-123456"}}})
    assert options.login is not None and options.login.method == "POST"
    assert options.secrets == {"pw-123456"}


def test_network_maps_standard_ports_and_pins():
    network = Network(pinned={("a.test", 443): "127.0.0.1"}, addresses={"b.test": ("127.0.0.1",), "c.test": ()},
                      http_port=8080, https_port=8443)
    assert network.target("a.test", 443) == ("127.0.0.1", 8443)
    assert network.target("B.test.", 80) == ("127.0.0.1", 8080)
    assert network.target("b.test", 9000) == ("127.0.0.1", 9000)
    assert network.target("elsewhere.test", 443) == ("elsewhere.test", 8443)  # the OS resolves it


# --- HSTS and security headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (None, {"edge.hsts.missing": Severity.ERROR}),
    ("max-age=0", {"edge.hsts.invalid": Severity.ERROR}),
    ("includeSubDomains", {"edge.hsts.invalid": Severity.ERROR}),
    ("max-age=86400; includeSubDomains",
     {"edge.hsts.short-max-age": Severity.WARNING, "edge.hsts.preload": Severity.INFO}),
    ('max-age="31536000"', {"edge.hsts.no-subdomains": Severity.WARNING, "edge.hsts.preload": Severity.INFO}),
])
def test_hsts(value, expected):
    got = answer(strict_transport_security=value) if value else answer()
    assert rules(headers.hsts_findings(got, "example.test", apex=True)) == expected


def test_hsts_preload_ready():
    found = headers.hsts_findings(answer(strict_transport_security="max-age=63072000; includeSubDomains; preload"),
                                  "example.test", apex=True)
    assert [f.message for f in found] == ["example.test is eligible for the HSTS preload list"]


def test_x_frame_options_is_enough_against_framing():
    got = answer(x_frame_options="DENY", content_security_policy="default-src 'self'",
                 x_content_type_options="nosniff", referrer_policy="no-referrer")
    assert headers.security_header_findings(got, "example.test") == []


# --- cache ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cache_control", "cacheable"), [
    ("public, max-age=600", True), ("max-age=600", True), ("s-maxage=60", True), ("max-age=0", False),
    ("private, max-age=600", False), ("no-store", False), ("no-cache", False),
])
def test_shared_cacheable(cache_control, cacheable):
    assert cache.shared_cacheable(answer(cache_control=cache_control)) is cacheable


def test_private_path_with_s_maxage_is_public():
    assert rules(cache.private_findings("/dashboard", answer(cache_control="s-maxage=60"))) == {
        "edge.cache.private-public": Severity.ERROR}


def test_private_path_redirecting_to_login_needs_no_cache_control():
    assert cache.private_findings("/dashboard", answer(status=302, location="/login")) == []
    assert rules(cache.private_findings("/dashboard", answer(status=302, cache_control="max-age=60"))) == {
        "edge.cache.private-unmarked": Severity.ERROR}
    assert rules(cache.private_findings("/dashboard", answer())) == {"edge.cache.private-unmarked": Severity.ERROR}


def test_public_path_served_by_a_cdn_hit_is_fine():
    assert cache.public_findings("/a.js", answer(cf_cache_status="HIT")) == []
    assert rules(cache.public_findings("/a.js", answer(status=404))) == {"edge.cache.public-broken": Severity.ERROR}


# --- cookies ----------------------------------------------------------------------------------------------

SERVE = ["example.test", "app.example.test", "api.example.test"]


def test_good_session_cookie():
    cookie = cookies.parse("sid=abc; Domain=.example.test; Secure; HttpOnly; SameSite=Strict")
    assert cookies.findings(cookie, "example.test", SERVE, login=False) == []


def test_cookie_with_a_foreign_domain_is_rejected_by_browsers():
    cookie = cookies.parse("sid=abc; Domain=other.test; Secure; HttpOnly; SameSite=Lax")
    assert rules(cookies.findings(cookie, "example.test", SERVE, login=False)) == {"edge.cookie.domain": Severity.ERROR}


def test_cookie_scoped_to_one_subdomain_misses_the_others():
    cookie = cookies.parse("session=abc; Domain=app.example.test; Secure; HttpOnly; SameSite=Lax")
    found = cookies.findings(cookie, "app.example.test", SERVE, login=False)
    assert rules(found) == {"edge.cookie.domain": Severity.WARNING}
    assert "api.example.test" in found[0].message and "abc" not in found[0].evidence


def test_csrf_cookie_may_be_read_by_script():
    cookie = cookies.parse("csrftoken=abc; Secure; SameSite=Lax")
    assert cookies.findings(cookie, "example.test", SERVE, login=True) == []


def test_login_cookie_is_the_session_whatever_its_name():
    cookie = cookies.parse("x=1; Secure")
    assert set(rules(cookies.findings(cookie, "example.test", ["example.test"], login=True))) == {
        "edge.cookie.httponly", "edge.cookie.samesite"}
    assert cookies.findings(cookie, "example.test", ["example.test"], login=False) == []


# --- mixed content ----------------------------------------------------------------------------------------


def test_mixed_content_kinds():
    html = """<html><head>
<link rel="stylesheet" href="http://cdn.test/site.css">
<link rel="canonical" href="http://example.test/">
<script src="https://cdn.test/ok.js"></script>
</head><body><iframe src="HTTP://ads.test/"></iframe><img src="http://cdn.test/logo.png">
<a href="http://example.org/">a plain link is fine</a>
<img src="/logo.png" srcset="/logo.png 1x, http://cdn.test/logo@2x.png 2x"></body></html>"""
    found = content.findings("https://example.test/", html)
    assert [(f.rule, f.evidence) for f in found] == [
        ("edge.content.mixed-active", "line 2: http://cdn.test/site.css"),
        ("edge.content.mixed-active", "line 5: HTTP://ads.test/"),
        ("edge.content.mixed-passive", "line 5: http://cdn.test/logo.png"),
        ("edge.content.mixed-passive", "line 7: http://cdn.test/logo@2x.png"),
    ]


@pytest.mark.parametrize(("header", "words"), [
    ("__Secure-sid=a; Path=/; HttpOnly; SameSite=Lax", "because it lacks Secure"),
    ("__Host-sid=a; Path=/app; Secure; HttpOnly; SameSite=Lax", "because its Path is not /"),
    ("__host-sid=a; Secure; HttpOnly; SameSite=Lax", "because its Path is not /"),  # matched case-insensitively
])
def test_cookie_prefixes_browsers_reject(header, words):
    found = [f for f in cookies.findings(cookies.parse(header), "example.test", SERVE, login=True)
             if f.rule == "edge.cookie.prefix"]
    assert len(found) == 1 and words in found[0].message and found[0].severity is Severity.ERROR


def test_host_prefixed_cookie_done_right_has_no_scope_warning():
    cookie = cookies.parse("__Host-sid=a; Path=/; Secure; HttpOnly; SameSite=Lax")
    assert cookies.findings(cookie, "example.test", SERVE, login=True) == []


def test_samesite_none_without_secure_says_browsers_reject_it():
    found = cookies.findings(cookies.parse("sid=a; HttpOnly; SameSite=None"), "example.test", ["example.test"],
                             login=True)
    assert [f.message for f in found if f.rule == "edge.cookie.secure"] == [
        "cookie sid set by example.test lacks Secure: browsers reject SameSite=None without Secure"]


def test_expired_cookie_is_a_deletion():
    cookie = cookies.parse("sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/")
    assert cookies.findings(cookie, "example.test", SERVE, login=True) == []


# --- redirects --------------------------------------------------------------------------------------------


def test_redirect_hosts_are_compared_in_their_ascii_form():
    # A Location with raw Unicode or capitals names the same host; it read as "another host".
    from gates.edge import redirects

    host = "xn--bcher-kva.example"
    http = redirects.Chain((answer(f"http://{host}/", 301, location="https://BÜCHER.example/"),
                            answer(f"https://{host}/")))
    assert redirects.http_first_hop(host, http) == []
    serve = redirects.Chain((answer(f"https://{host}/", 302, location="https://Bücher.example/login"),
                             answer("https://Bücher.example/login")))
    assert redirects.serve_findings(host, serve) == []
    assert redirects.origin("https://WWW.Bücher.example:443/x") == f"https://www.{host}"


def test_http_to_https_on_another_port_is_not_the_preload_order():
    from gates.edge import redirects

    chain = redirects.Chain((answer("http://example.test/", 301, location="https://example.test:8443/"),
                             answer("https://example.test:8443/")))
    found = redirects.http_first_hop("example.test", chain)
    assert rules(found) == {"edge.redirect.http-not-same-host": Severity.ERROR}


def test_cookies_folded_into_one_set_cookie_line():
    # Browsers read "a=1; Path=/, b=2; Secure" as one cookie a with b's attributes: b is lost.
    folded = cookies.parse("sid=abc; Path=/; HttpOnly; SameSite=Lax, theme=dark; Path=/; Secure")
    found = cookies.findings(folded, "example.test", ["example.test"], login=True)
    assert "edge.cookie.folded" in rules(found)
    assert not any("dark" in (f.evidence or "") for f in found)  # the folded-in cookie's value is not shown
    dated = cookies.parse("sid=abc; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Path=/; Secure; HttpOnly; SameSite=Lax")
    assert cookies.findings(dated, "example.test", ["example.test"], login=True) == []
