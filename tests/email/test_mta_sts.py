"""MTA-STS: the TXT record and the policy file fetched over HTTPS from a loopback server (trustme CA)."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gates.email.mta_sts import mx_matches, parse_policy
from gates.report import Severity, Status

POLICY = "version: STSv1\r\nmode: {mode}\r\nmx: {mx}\r\nmax_age: 604800\r\n"
POLICIES = {
    "mta-sts.sts.test": POLICY.format(mode="enforce", mx="*.sts.test"),
    "mta-sts.stsbad.test": POLICY.format(mode="enforce", mx="*.sts.test"),
    "mta-sts.ststesting.test": POLICY.format(mode="testing", mx="mx1.sts.test"),
    "mta-sts.stsbroken.test": "version: STSv2\nmode: sometimes\n",
}


class PolicyHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        host = (self.headers.get("Host") or "").split(":")[0]
        body = POLICIES.get(host)
        if body is None or self.path != "/.well-known/mta-sts.txt":
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def policy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    hosts = [f"mta-sts.{d}" for d in ("sts.test", "stsbad.test", "sts404.test", "ststesting.test", "stsbroken.test")]
    cert = ca.issue_cert(*hosts)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PolicyHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[1], str(bundle)
    server.shutdown()
    server.server_close()


@pytest.fixture
def sts(gate: Callable, policy_server: tuple[int, str]) -> Callable:
    port, bundle = policy_server

    def check(domain: str, **kwargs: object) -> object:
        return gate(domain, mta_sts_port=port, ca_bundle=bundle, **kwargs)

    return check


def test_policy_matches_mx(sts: Callable) -> None:
    run = sts("sts.test")
    check = run.checks["mta-sts"]
    assert check.status is Status.PASSED and not check.findings, check.findings
    assert "policy: mode=enforce mx=*.sts.test" in check.output


def test_enforced_policy_not_matching_mx_blocks(sts: Callable) -> None:
    run = sts("stsbad.test")
    assert run.rules("mta-sts") == ["mta-sts-mx-mismatch"]
    assert run.checks["mta-sts"].status is Status.FAILED
    assert "mail.good.test" in run.checks["mta-sts"].findings[0].message


def test_testing_mode_is_info(sts: Callable) -> None:
    run = sts("ststesting.test")
    assert [(f.rule, f.severity) for f in run.checks["mta-sts"].findings] == [("mta-sts-testing", Severity.INFO)]


@pytest.mark.parametrize(
    ("domain", "rule"),
    [("stsnohost.test", "mta-sts-policy-host-missing"), ("sts404.test", "mta-sts-policy-unreachable"),
     ("stsbroken.test", "mta-sts-policy-syntax")],
)
def test_policy_problems_are_warnings_unless_required(sts: Callable, domain: str, rule: str) -> None:
    run = sts(domain)
    assert rule in run.rules("mta-sts")
    assert run.checks["mta-sts"].status is Status.PASSED
    assert sts(domain, require_mta_sts=True).checks["mta-sts"].status is Status.FAILED


def test_untrusted_certificate_is_unreachable(gate: Callable, policy_server: tuple[int, str]) -> None:
    run = gate("sts.test", mta_sts_port=policy_server[0])  # no CA bundle: the trustme CA is unknown
    finding = run.checks["mta-sts"].findings[0]
    assert finding.rule == "mta-sts-policy-unreachable" and "TLS" in finding.message


def test_parse_policy_and_patterns() -> None:
    policy, problems = parse_policy(POLICY.format(mode="enforce", mx="mail.example.com"))
    assert problems == [] and policy["mx"] == ["mail.example.com"]
    assert mx_matches("*.example.com", "mx1.example.com")
    assert not mx_matches("*.example.com", "a.b.example.com") and not mx_matches("*.example.com", "example.com")
    assert mx_matches("mail.example.com.", "MAIL.example.com")


def test_config_rejects_missing_ca_bundle(git_repo: Path) -> None:
    from gates.config import Config
    from gates.context import GateContext
    from gates.email import options_from_config
    from gates.errors import ConfigError

    ctx = GateContext(root=git_repo, config=Config(None, git_repo, {}))
    with pytest.raises(ConfigError, match="ca_bundle"):
        options_from_config({"domains": ["a.test"], "ca_bundle": "nope.pem"}, ctx)
