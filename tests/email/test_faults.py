"""DNS failures make checks 'could not check' (exit 3), never 'record missing' and never a pass."""

from __future__ import annotations

import pytest

from gates.email import Options, run
from gates.report import EXIT_CANNOT_EVALUATE, Status
from tests.servers.dns_server import DNSServer


def _run(server: DNSServer, domain: str = "good.test", timeout: float = 1.0, **kwargs: object) -> object:
    return run(Options((domain,), nameservers=(server.nameserver,), timeout_s=timeout, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["servfail", "refused"])
def test_failing_server_is_error_not_missing(zone_text: str, mode: str) -> None:
    with DNSServer(zone_text, mode=mode) as server:
        report = _run(server, dkim_selectors=("s1",))
    assert report.exit_code == EXIT_CANNOT_EVALUATE  # type: ignore[attr-defined]
    for check in report.checks:  # type: ignore[attr-defined]
        assert check.status is Status.ERROR, check
        assert "could not check" in check.message
        assert not any(f.rule.endswith("missing") for f in check.findings)


def test_silent_server_times_out_as_error(zone_text: str) -> None:
    with DNSServer(zone_text, mode="drop") as server:
        report = _run(server, timeout=0.2, dkim_selectors=("s1",))
    assert {c.status for c in report.checks} == {Status.ERROR}  # type: ignore[attr-defined]
    assert "timeout" in report.checks[0].message  # type: ignore[attr-defined]


def test_truncated_answers_are_retried_over_tcp(zone_text: str) -> None:
    with DNSServer(zone_text, mode="truncate") as server:
        report = _run(server, dkim_selectors=("s1",))
        protocols = {protocol for _, _, protocol in server.queries}
    assert report.exit_code == 0  # type: ignore[attr-defined]
    assert protocols == {"udp", "tcp"}


def test_failure_deep_in_the_spf_tree_is_error(zone_text: str) -> None:
    with DNSServer(zone_text, faults={"l5.ten.test": "servfail"}) as server:
        report = _run(server, domain="ten.test")
    spf = next(c for c in report.checks if c.group == "spf")  # type: ignore[attr-defined]
    assert spf.status is Status.ERROR
    assert "l5.ten.test" in spf.message


def test_known_blocker_wins_over_a_later_failure(zone_text: str) -> None:
    with DNSServer(zone_text, faults={"_spf.good.test": "servfail"}) as server:
        report = _run(server, domain="two.test")
    spf = next(c for c in report.checks if c.group == "spf")  # type: ignore[attr-defined]
    assert spf.status is Status.FAILED  # two SPF records block whatever else is unknown


def test_dkim_probe_failure_is_error(zone_text: str) -> None:
    with DNSServer(zone_text, faults={"google._domainkey.probe.test": "servfail"}) as server:
        report = _run(server, domain="probe.test")
    dkim = next(c for c in report.checks if c.group == "dkim")  # type: ignore[attr-defined]
    assert dkim.status is Status.ERROR


def test_total_deadline_turns_later_lookups_into_timeouts(zone_text: str) -> None:
    with DNSServer(zone_text, mode="drop") as server:
        report = run(Options(("good.test",), nameservers=(server.nameserver,), timeout_s=0.2, deadline_s=0.1))
    assert report.exit_code == EXIT_CANNOT_EVALUATE
    outputs = "\n".join(c.output for c in report.checks)
    assert "total deadline was reached" in outputs


def test_several_domains_one_check_per_family_each(dns_server: DNSServer) -> None:
    report = run(Options(("good.test", "eleven.test"), ("s1",), nameservers=(dns_server.nameserver,), timeout_s=2))
    names = [c.name for c in report.checks]
    assert len(names) == len(set(names)) == 12
    assert report.exit_code == 1
    assert report.metrics["domains"] == 2 and report.metrics["spf_lookups"] == 13


def test_no_system_resolver_is_could_not_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import dns.resolver

    from gates.errors import CannotEvaluate

    def missing(self: object, filename: object) -> None:
        raise dns.resolver.NoResolverConfiguration("cannot open /etc/resolv.conf")

    monkeypatch.setattr(dns.resolver.Resolver, "read_resolv_conf", missing)
    with pytest.raises(CannotEvaluate, match="--nameserver"):
        run(Options(("good.test",)))


def test_null_mx_advice_not_given_when_dmarc_could_not_be_checked(zone_text: str) -> None:
    with DNSServer(zone_text, faults={"_dmarc.nullsends.test": "servfail"}) as server:
        report = _run(server, domain="nullsends.test")
    mx = next(c for c in report.checks if c.group == "mx")  # type: ignore[attr-defined]
    assert [f.rule for f in mx.findings] == ["mx-null-spf"]


def test_failed_probe_does_not_doubt_a_valid_key_found(zone_text: str) -> None:
    with DNSServer(zone_text, faults={"s1._domainkey.probe.test": "servfail"}) as server:
        report = _run(server, domain="probe.test")
    dkim = next(c for c in report.checks if c.group == "dkim")  # type: ignore[attr-defined]
    assert dkim.status is Status.PASSED
    assert "could not be looked up; a valid key was found" in dkim.output
