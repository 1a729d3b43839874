"""The edge gate end to end against loopback servers: one good map, then one broken property at a time."""

from __future__ import annotations

import ssl
import warnings

import pytest

from gates.edge import run
from gates.edge.options import from_section
from gates.report import Report, Severity, Status
from tests.servers.dns_server import DNSServer
from tests.servers.edge_app import DOMAIN, Page, dead_port, good_site, good_zone

APEX, WWW, APP, API = DOMAIN, f"www.{DOMAIN}", f"app.{DOMAIN}", f"api.{DOMAIN}"


def check(section: dict[str, object]) -> Report:
    return run(from_section(section))


def rules(report: Report, severity: Severity | None = None) -> set[str]:
    return {f.rule for f in report.findings if severity is None or f.severity is severity}


def finding(report: Report, rule: str) -> str:
    found = [f for f in report.findings if f.rule == rule]
    assert found, f"{rule} not in {sorted(rules(report))}"
    return f"{found[0].message} | {found[0].evidence} | {found[0].fix}"


def test_correct_map_passes(world):
    report = check(world())
    assert report.exit_code == 0, [c.summary for c in report.checks if c.status is not Status.PASSED]
    assert rules(report, Severity.ERROR) == set() and rules(report, Severity.WARNING) == set()
    names = {c.name for c in report.checks}
    assert {f"dns {WWW}", f"redirects {WWW}", f"tls {APP}", f"hsts {APEX}", "legacy /pricing-old",
            "cache private /dashboard", "cache public /assets/app.js", "cookies"} <= names
    assert "edge.hsts.preload" in rules(report, Severity.INFO)
    assert "edge.dns.caa" in rules(report, Severity.INFO)


def test_www_and_apex_both_serving_blocks(world):
    site = good_site()
    site.hosts[WWW].redirect_to = None
    site.hosts[WWW].pages = {"/": Page()}
    report = check(world(site))
    assert report.exit_code == 1
    assert WWW in finding(report, "edge.redirect.not-canonical")


def test_redirect_loop_is_printed(world):
    site = good_site()
    site.hosts[APEX].pages["/"] = Page(status=301, location=f"https://{WWW}/")
    report = check(world(site))
    assert report.exit_code == 1
    shown = finding(report, "edge.redirect.loop")
    assert f"https://{APEX}/ [301] -> https://{WWW}/ [301]" in shown and "(again)" in shown


def test_http_that_does_not_redirect_blocks(world):
    site = good_site()
    site.hosts[APP].http = "serve"
    report = check(world(site))
    assert report.exit_code == 1
    assert f"http://{APP}/ answers 200" in finding(report, "edge.redirect.http-not-redirected")


def test_http_redirecting_straight_to_canonical_is_out_of_order(world):
    site = good_site()
    site.hosts[WWW].http = f"https://{APEX}"
    report = check(world(site))
    assert report.exit_code == 1
    assert "HSTS preload order" in finding(report, "edge.redirect.http-not-same-host")


def test_temporary_redirect_warns(world):
    site = good_site()
    site.hosts[WWW].redirect_status = 302
    report = check(world(site))
    assert report.exit_code == 0
    assert "edge.redirect.temporary" in rules(report, Severity.WARNING)


def test_https_downgrade_blocks(world):
    site = good_site()
    site.hosts[WWW].redirect_to = f"http://{APEX}"
    report = check(world(site))
    assert report.exit_code == 1
    assert "edge.redirect.downgrade" in rules(report, Severity.ERROR)


def test_legacy_path_landing_elsewhere_blocks(world):
    report = check(world(legacy_redirects={"/pricing-old": "/plans"}))
    assert report.exit_code == 1
    assert "declared https://example.test/plans" in finding(report, "edge.redirect.legacy-target")


def test_certificate_for_the_wrong_host_blocks(world, certs):
    certs.wrong_name(API)
    report = check(world())
    assert report.exit_code == 1
    assert "other.invalid" in finding(report, "edge.tls.hostname")
    assert {c.name: c.status for c in report.checks}[f"tls {APP}"] is Status.PASSED


@pytest.mark.parametrize(("days", "rule"), [(3, "edge.tls.expiring"), (-2, "edge.tls.expired")])
def test_expiring_and_expired_certificates_block(world, certs, days, rule):
    certs.expiring(APP, days)
    report = check(world())
    assert report.exit_code == 1
    assert APP in finding(report, rule)


def test_certificate_in_the_warning_zone_warns(world, certs):
    certs.expiring(APP, 10)
    report = check(world())
    assert report.exit_code == 0
    assert "expires in 10 days (< 14)" in finding(report, "edge.tls.expiring")


def _openssl_speaks_tls11() -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, ssl.SSLError):
            return False
    return True


@pytest.mark.skipif(not _openssl_speaks_tls11(), reason="this OpenSSL cannot negotiate TLS 1.1")
def test_tls11_accepted_blocks(world):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        section = world(minimum=ssl.TLSVersion.TLSv1_1)
    report = check(section)
    assert report.exit_code == 1
    assert "accepts TLSv1.1" in finding(report, "edge.tls.legacy-protocol")


@pytest.mark.skipif(not _openssl_speaks_tls11(), reason="this OpenSSL cannot negotiate TLS 1.1")
def test_server_speaking_only_tls11_blocks(world):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        section = world(minimum=ssl.TLSVersion.TLSv1_1, maximum=ssl.TLSVersion.TLSv1_1)
    report = check(section)
    assert "only speaks TLSv1.1" in finding(report, "edge.tls.legacy-protocol")
    assert {c.name: c.status for c in report.checks}[f"tls {APP}"] is Status.FAILED


def test_dangling_cname_blocks(world):
    hosts = {WWW: "redirect", APP: "serve", API: "serve", f"old.{DOMAIN}": "serve"}
    report = check(world(zone_extra=f"old.{DOMAIN}. 60 IN CNAME gone.{DOMAIN}.", hosts=hosts))
    assert report.exit_code == 1
    assert f"old.{DOMAIN} -> gone.{DOMAIN} -> NXDOMAIN" in finding(report, "edge.dns.dangling-cname")
    assert {c.name: c.status for c in report.checks}[f"host old.{DOMAIN}"] is Status.SKIPPED


def test_missing_host_record_blocks(world):
    hosts = {WWW: "redirect", APP: "serve", API: "serve", f"admin.{DOMAIN}": "serve"}
    report = check(world(hosts=hosts))
    assert report.exit_code == 1
    assert "NXDOMAIN" in finding(report, "edge.dns.unresolved")


def test_private_path_cached_publicly_blocks(world):
    site = good_site()
    site.hosts[APEX].pages["/dashboard"].headers = {"Cache-Control": "public, max-age=600"}
    report = check(world(site))
    assert report.exit_code == 1
    assert "public, max-age=600" in finding(report, "edge.cache.private-public")


def test_private_path_without_cache_control_blocks(world):
    site = good_site()
    site.hosts[APEX].pages["/dashboard"].headers = {}
    report = check(world(site))
    assert "edge.cache.private-unmarked" in rules(report, Severity.ERROR)


def test_cacheable_answer_setting_a_cookie_blocks(world):
    site = good_site()
    site.hosts[APEX].pages["/assets/app.js"].cookies = ["tracking=1; Secure; SameSite=Lax"]
    report = check(world(site))
    assert report.exit_code == 1
    assert "tracking" in finding(report, "edge.cache.cookie-on-cacheable")


def test_public_path_not_cacheable_warns(world):
    site = good_site()
    site.hosts[APEX].pages["/assets/app.js"].headers = {"Cache-Control": "no-cache"}
    report = check(world(site))
    assert report.exit_code == 0
    assert "edge.cache.public-not-cacheable" in rules(report, Severity.WARNING)


def test_cookie_without_secure_blocks_and_hides_its_value(world):
    site = good_site()
    site.hosts[APEX].pages["/api/login"].cookies = ["session=s3ss10n-value; Path=/; HttpOnly; SameSite=Lax"]
    report = check(world(site))
    assert report.exit_code == 1
    shown = finding(report, "edge.cookie.secure")
    assert "session=…" in shown and "s3ss10n-value" not in shown
    assert "s3ss10n-value" in report.secrets
    assert "not sent to" in finding(report, "edge.cookie.domain")  # host-only: app and api never see it


def test_page_with_http_script_blocks_and_http_image_warns(world):
    site = good_site()
    site.hosts[APP].pages["/"] = Page(body="<html><script src='http://cdn.test/x.js'></script>"
                                           "<img src='http://cdn.test/a.png'></html>")
    report = check(world(site))
    assert report.exit_code == 1
    assert "http://cdn.test/x.js" in finding(report, "edge.content.mixed-active")
    assert "edge.content.mixed-passive" in rules(report, Severity.WARNING)


def test_missing_hsts_blocks_and_weak_headers_warn(world):
    site = good_site()
    site.hosts[APP].headers = {}
    report = check(world(site))
    assert report.exit_code == 1
    assert APP in finding(report, "edge.hsts.missing")
    assert {"edge.headers.nosniff", "edge.headers.framing", "edge.headers.csp"} <= rules(report, Severity.WARNING)


def test_unreachable_https_cannot_evaluate(world):
    section = world()
    section["https_port"] = dead_port()
    report = check(section)
    assert report.exit_code == 3
    assert {c.name: c.status for c in report.checks}[f"tls {APP}"] is Status.ERROR


def test_dns_timeout_cannot_evaluate(world):
    section = world(timeout="0.5s")
    with DNSServer(good_zone(), mode="drop") as silent:
        section["nameservers"] = [silent.nameserver]
        report = check(section)
    assert report.exit_code == 3
    assert {c.name: c.status for c in report.checks}[f"dns {APP}"] is Status.ERROR


def test_resolve_pins_hosts_without_dns(world):
    section = world()
    section.pop("nameservers")
    section["resolve"] = [f"{host}:{port}:127.0.0.1" for host in (APEX, WWW, APP, API) for port in (80, 443)]
    report = check(section)
    assert report.exit_code == 0
    assert {c.name: c.status for c in report.checks}[f"dns {APP}"] is Status.SKIPPED


def test_resolve_overrides_one_host_of_the_nameserver_world(world):
    # new.example.test is not in DNS yet (pre-cutover): --resolve reaches it, DNS still says it is missing.
    new = f"new.{DOMAIN}"
    site = good_site()
    site.hosts[new] = site.hosts[APP]
    hosts = {WWW: "redirect", APP: "serve", API: "serve", new: "serve"}
    report = check(world(site, hosts=hosts, resolve=[f"{new}:443:127.0.0.1", f"{new}:80:127.0.0.1"]))
    statuses = {c.name: c.status for c in report.checks}
    assert statuses[f"dns {new}"] is Status.FAILED
    assert statuses[f"redirects {new}"] is Status.PASSED and statuses[f"tls {new}"] is Status.FAILED  # not in cert
    assert report.exit_code == 1


def test_too_many_hops_block(world):
    site = good_site()
    pages = site.hosts[APEX].pages
    pages["/a"], pages["/b"], pages["/c"] = (Page(status=301, location=p) for p in ("/b", "/c", "/pricing-old"))
    report = check(world(site, legacy_redirects={"/a": "/pricing"}))
    assert report.exit_code == 1
    assert "4 redirects (at most 3)" in finding(report, "edge.redirect.too-many-hops")


def test_connections_go_where_the_nameserver_says(world):
    # v6 exists only in the loopback zone, as AAAA ::1 where nothing listens: the gate must dial ::1.
    v6 = f"v6.{DOMAIN}"
    hosts = {WWW: "redirect", APP: "serve", API: "serve", v6: "serve"}
    report = check(world(zone_extra=f"{v6}. 60 IN AAAA ::1", hosts=hosts))
    tls_check = {c.name: c for c in report.checks}[f"tls {v6}"]
    assert tls_check.status is Status.ERROR and "(::1:" in tls_check.message
    assert report.exit_code == 3
