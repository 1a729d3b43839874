"""The edge gate's options_from_config() and run(); `gates.edge` loads this module on first use."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from gates.context import GateContext
from gates.edge.options import Options, from_section
from gates.progress import NullProgress, Progress, Task
from gates.report import Check, Report, Status

if TYPE_CHECKING:
    from gates.common.dns import Resolver
    from gates.edge.dnsmap import HostRecord
    from gates.edge.network import Fetcher, Network
    from gates.edge.probe import HostProbe
    from gates.edge.sitechecks import Seen

__all__ = ["Options", "options_from_config", "run"]


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    return from_section(section, ctx.root, ctx)


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.edge import sitechecks, tls
    from gates.edge.network import Fetcher

    started = time.monotonic()
    progress = progress or NullProgress()
    task = progress.task("Checking the edge", total=len(options.hosts) + 2)
    resolver, records, checks = _check_dns(options)
    task.advance()
    network = _network(options, records, resolver)
    tls.legacy_context()  # built once, before the probe threads
    fetcher = Fetcher(network)
    seen = sitechecks.Seen()
    try:
        reachable = [host for host in options.hosts if _resolvable(options, records, host)]
        checks += [_skipped(host) for host in options.hosts if host not in reachable]
        probes = _probe_hosts(options, reachable, network, fetcher, task)
        checks += _judge_hosts(options, probes, seen)
        checks += sitechecks.legacy_checks(options, fetcher, seen)
        login_answer, login_error = sitechecks.login(options, fetcher, seen)
        checks += sitechecks.cache_checks(options, fetcher, seen, sitechecks.cookie_header(login_answer))
        checks.append(sitechecks.cacheable_cookie_check(seen))
        checks.append(sitechecks.cookie_check(options, seen, login_answer, login_error))
        checks += sitechecks.mixed_content_checks(seen)
        task.advance()
    finally:
        fetcher.close()
    metrics = {"hosts": len(options.hosts), "requests": len(seen.answers), "min_cert_days": options.min_cert_days}
    return Report("edge", tuple(checks), time.monotonic() - started, metrics,
                  secrets=options.secrets | frozenset(s for s in seen.secrets if s))


def _probe_hosts(options: Options, hosts: list[str], network: Network, fetcher: Fetcher, task: Task) -> list[HostProbe]:
    """TLS handshakes and redirect chains of every host, in parallel (each host is a few round trips)."""
    from gates.edge.probe import probe_host

    probes = []
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(hosts)))) as pool:
        futures = [pool.submit(probe_host, host, options.hosts[host], network, fetcher, options.ca_bundle)
                   for host in hosts]
        for future in futures:
            probes.append(future.result())
            task.advance()
    return probes


def _judge_hosts(options: Options, probes: list[HostProbe], seen: Seen) -> list[Check]:
    from gates.edge import hostchecks

    checks: list[Check] = []
    now = dt.datetime.now(dt.timezone.utc)
    for probe in probes:
        checks.append(hostchecks.redirect_check(probe, options))
        checks.append(hostchecks.tls_check(probe, options, now))
        checks.append(hostchecks.hsts_check(probe, options))
        extra = hostchecks.security_headers_check(probe)
        checks += [extra] if extra else []
        for chain in (probe.http, probe.https):
            seen.add(chain.answers if chain else ())
    return checks


def _check_dns(options: Options) -> tuple[Resolver, dict[str, HostRecord], list[Check]]:
    from gates.edge import dnsmap

    resolver = dnsmap.make_resolver(options.nameservers, options.timeout)
    to_check = [h for h in options.hosts if options.nameservers or not _pinned(options, h)]
    records, checks = dnsmap.check_all(resolver, to_check)
    for host in options.hosts:
        if host not in records:
            checks.append(Check(f"dns {host}", Status.SKIPPED, group="dns",
                                message="pinned by --resolve; DNS not consulted"))
    if to_check:
        started = time.monotonic()
        found = dnsmap.caa(resolver, options.domain)
        checks.append(dnsmap.caa_check(options.domain, found, time.monotonic() - started))
    return resolver, records, checks


def _pinned(options: Options, host: str) -> bool:
    return any(pinned == host for pinned, _ in options.resolve)


def _resolvable(options: Options, records: Mapping[str, HostRecord], host: str) -> bool:
    """Hosts DNS proved missing are not probed (their DNS check already blocks); lookups that got no
    answer are probed, so the probe reports it cannot connect (could not evaluate)."""
    record = records.get(host)
    if _pinned(options, host) or record is None or record.error:
        return True
    return record.resolves


def _skipped(host: str) -> Check:
    return Check(f"host {host}", Status.SKIPPED, group="redirect",
                 message=f"{host} does not resolve (see dns {host}); redirects, TLS and headers not checked")


def _network(options: Options, records: Mapping[str, HostRecord], resolver: Resolver) -> Network:
    from gates.edge import dnsmap
    from gates.edge.network import Network

    if not options.nameservers:
        return Network(options.resolve, {}, None, options.http_port, options.https_port, options.timeout)

    def lookup(host: str) -> tuple[str, ...]:
        return dnsmap.lookup(resolver, host).addresses

    addresses = {host: record.addresses for host, record in records.items()}
    return Network(options.resolve, addresses, lookup, options.http_port, options.https_port, options.timeout)
