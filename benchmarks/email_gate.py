"""Benchmark for `gates email` (not a test): the test scenarios on a loopback DNS server, through the gate
and through its peers, alternately, in the same run.

Peers on the same zone: checkdmarc (its SPF, DMARC, MX, MTA-STS record and TLS-RPT checks, pointed at the
loopback server with `nameservers=[Do53Nameserver("127.0.0.1", port)]`) plus dkimpy's key checks
(`dkim.load_pk_from_dns`) for the scenario's selectors, since checkdmarc does no DKIM. With no selector
given, the gate discovers them (one `_domainkey` query, then the common ESP selectors if that name
exists); the peers have no such step. checkdmarc's MTA-STS policy
fetch and MX TLS probes are left out (they would leave loopback); a socket guard refuses any
non-loopback address for the whole run.

The DNS server runs in a child process (a real server never shares the checker's interpreter).
Prints the median wall time per domain for both, the ratio, and every scenario where the verdicts differ.
Target: < 0.5 s per domain and <= 0.5x checkdmarc's time.

    .venv/bin/python benchmarks/email_gate.py [--repeat 5] [--rtt-ms 0]

--rtt-ms N delays every answer by N ms (loopback has none; a real resolver has some): concurrency
only pays when queries wait on the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a file, this directory comes first on sys.path, so a sibling named like a module we import
# (email.py and secrets.py once shadowed the stdlib's) would win: drop it, this imports only from the repo root.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import ipaddress  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from gates.email import Options, run  # noqa: E402
from gates.report import Status  # noqa: E402
from tests.email.conftest import zone  # noqa: E402
from tests.servers.dns_server import DNSServer  # noqa: E402

SCENARIOS: list[tuple[str, tuple[str, ...]]] = [
    ("good.test", ("s1",)), ("ten.test", ()), ("eleven.test", ()), ("void2.test", ()), ("void3.test", ()),
    ("amx.test", ()), ("mxlimit.test", ()), ("two.test", ()), ("plusall.test", ()), ("neutral.test", ()),
    ("ptr.test", ()), ("loop.test", ()), ("redirnone.test", ()), ("split.test", ()), ("malformed.test", ()),
    ("pnone.test", ()), ("norua.test", ()), ("pct50.test", ()), ("badpolicy.test", ()), ("twodmarc.test", ()),
    ("apex.test", ()), ("mail.inherit.test", ()), ("extbad.test", ()), ("nullmx.test", ()),
    ("dk.test", ("rsa512", "rsa1024", "rsa2048", "revoked", "testing", "cnamed", "dangling")),
]


def guard_loopback() -> None:
    """Refuse any socket traffic that would leave the machine."""
    def check(address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if not ipaddress.ip_address(host).is_loopback:
            raise OSError(f"benchmark guard: refused non-loopback address {host}")

    original_connect, original_sendto = socket.socket.connect, socket.socket.sendto

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        original_connect(self, address)

    def sendto(self: socket.socket, data: bytes, *args: Any) -> int:
        check(args[-1])
        result: int = original_sendto(self, data, *args)
        return result

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.sendto = sendto  # type: ignore[method-assign, assignment]


# Why the gate's verdict is the right one where the peers differ, by the gate's rule id.
WHY_OURS = {
    "spf-void-limit": "RFC 7208 4.6.4: more than 2 void lookups is a permerror at receivers that enforce the "
                      "limit, so SPF fails for every message",
    "spf-plus-all": "+all authorizes every host on the internet: syntactically valid, protects nothing",
    "dmarc-policy-none-no-reports": "p=none without rua= neither enforces nor reports (the baseline policy)",
    "dmarc-missing": "no DMARC record applies to this domain",
}
Verdicts = dict[str, tuple[str, str]]  # family -> (pass|block|error, why)
FAMILIES = ("spf", "dmarc", "dkim")


def ours(nameserver: str, domain: str, selectors: tuple[str, ...]) -> tuple[float, Verdicts]:
    started = time.perf_counter()
    report = run(Options((domain,), selectors, nameservers=(nameserver,), timeout_s=2.0))
    elapsed = time.perf_counter() - started
    verdicts: Verdicts = {}
    for check in report.checks:
        if check.group in FAMILIES:
            why = ", ".join(f.rule for f in check.findings if f.severity.value == "error")
            word = {Status.FAILED: "block", Status.ERROR: "error"}.get(check.status, "pass")
            verdicts[check.group] = (word, why)
    return elapsed, verdicts


def peer(port: int, domain: str, selectors: tuple[str, ...]) -> tuple[float, Verdicts]:
    import dkim
    import dns.nameserver
    import dns.resolver
    from checkdmarc.dmarc import check_dmarc
    from checkdmarc.mta_sts import query_mta_sts_record
    from checkdmarc.smtp import check_mx
    from checkdmarc.smtp_tls_reporting import check_smtp_tls_reporting
    from checkdmarc.spf import check_spf

    servers = [dns.nameserver.Do53Nameserver("127.0.0.1", port)]
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = servers  # type: ignore[assignment]
    resolver.lifetime = 2.0

    def get_txt(name: bytes | str, timeout: float = 2.0) -> bytes | None:
        text = name.decode() if isinstance(name, bytes) else name
        try:
            answer = resolver.resolve(text.rstrip("."), "TXT")
        except dns.exception.DNSException:
            return None
        return b"".join(next(iter(answer)).strings)

    started = time.perf_counter()
    verdicts: Verdicts = {}
    spf = check_spf(domain, nameservers=servers, timeout=2.0)
    verdicts["spf"] = ("pass", "") if spf.get("valid") else ("block", str(spf.get("error", "invalid"))[:90])
    dmarc = check_dmarc(domain, nameservers=servers, timeout=2.0)
    verdicts["dmarc"] = ("pass", "") if dmarc.get("valid") else ("block", str(dmarc.get("error", "invalid"))[:90])
    check_mx(domain, nameservers=servers, timeout=2.0)
    for call in (query_mta_sts_record, check_smtp_tls_reporting):
        try:
            call(domain, nameservers=servers, timeout=2.0)
        except Exception:  # noqa: BLE001, S110 - absent records raise; only the time matters here
            pass
    problems = []
    # dkimpy checks the selectors it is given; with none it has nothing to check (the gate discovers them).
    for selector in selectors:
        try:
            _, bits, _, _ = dkim.load_pk_from_dns(f"{selector}._domainkey.{domain}".encode(), dnsfunc=get_txt)
            if bits < 1024:
                problems.append(f"{selector}: {bits} bits")
        except Exception as exc:  # noqa: BLE001 - dkimpy raises its own errors for every bad key
            if selectors:
                problems.append(f"{selector}: {type(exc).__name__}: {str(exc)[:40]}")
    verdicts["dkim"] = ("block", "; ".join(problems)) if problems else ("pass", "")
    return time.perf_counter() - started, verdicts


def serve(zone_text: str, delay: float, conn: Any) -> None:
    """The DNS server in its own process, as a real one would be: it must not share the checkers' GIL."""
    server = DNSServer(zone_text, delay=delay).start()
    conn.send(server.port)
    conn.recv()  # until the benchmark is done
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rtt-ms", type=float, default=0.0, help="simulated round trip per DNS query")
    args = parser.parse_args()
    guard_loopback()
    ours_times: dict[str, list[float]] = {}
    peer_times: dict[str, list[float]] = {}
    verdicts: dict[str, tuple[Verdicts, Verdicts]] = {}
    import multiprocessing

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(
        target=serve, args=(zone(), args.rtt_ms / 1000, child), daemon=True)
    process.start()
    port = parent.recv()
    try:
        for _ in range(args.repeat):
            for domain, selectors in SCENARIOS:
                o_time, o_verdicts = ours(f"127.0.0.1:{port}", domain, selectors)
                p_time, p_verdicts = peer(port, domain, selectors)
                ours_times.setdefault(domain, []).append(o_time)
                peer_times.setdefault(domain, []).append(p_time)
                verdicts[domain] = (o_verdicts, p_verdicts)
    finally:
        parent.send("stop")
        process.join(5)
    print(f"{'domain':20} {'gates ms':>9} {'peer ms':>9} {'ratio':>6}")
    for domain, _ in SCENARIOS:
        mine, theirs = statistics.median(ours_times[domain]), statistics.median(peer_times[domain])
        print(f"{domain:20} {mine * 1000:9.1f} {theirs * 1000:9.1f} {mine / theirs:6.2f}")
    all_ours = statistics.median(t for times in ours_times.values() for t in times)
    all_peer = statistics.median(t for times in peer_times.values() for t in times)
    print(f"median per domain: gates email {all_ours * 1000:.1f} ms, checkdmarc+dkimpy {all_peer * 1000:.1f} ms, "
          f"ratio {all_ours / all_peer:.2f} ({args.repeat} rounds x {len(SCENARIOS)} domains, alternating, "
          f"simulated RTT {args.rtt_ms:g} ms)")
    print("\nverdicts that differ (family: gates email [blocking rules] | checkdmarc/dkimpy [error]):")
    for domain, (mine_v, theirs_v) in verdicts.items():
        for family in FAMILIES:
            (o_word, o_why), (p_word, p_why) = mine_v[family], theirs_v[family]
            if o_word != p_word:
                print(f"  {domain} {family}: gates {o_word} [{o_why}] | peer {p_word} [{p_why}]")
                for rule in o_why.split(", "):
                    if rule in WHY_OURS:
                        print(f"      why: {WHY_OURS[rule]}")


if __name__ == "__main__":
    main()
