"""The email gate's options_from_config() and run(); `gates.email` loads this module on first use."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from gates.email.options import Options, options_from_config
from gates.progress import NullProgress, Progress
from gates.report import Check, Figure, Report

if TYPE_CHECKING:
    from gates.common.dns import Resolver
    from gates.email.result import Result

__all__ = ["Options", "options_from_config", "run"]

T = TypeVar("T")


def run(options: Options, progress: Progress | None = None) -> Report:
    from gates.common.dns import NoSystemResolver
    from gates.email.cache import CachingResolver
    from gates.errors import CannotEvaluate

    started = time.monotonic()
    try:
        resolver = CachingResolver(options.nameservers, options.timeout_s, deadline=started + options.deadline_s)
    except NoSystemResolver as exc:
        raise CannotEvaluate(str(exc)) from None
    task = (progress or NullProgress()).task("Checking mail DNS", total=len(options.domains))
    checks: list[Check] = []
    if len(options.domains) == 1:
        checks.extend(check_domain(resolver, options.domains[0], options))
        task.advance()
    else:
        with ThreadPoolExecutor(max_workers=4) as pool:
            for domain_checks in pool.map(lambda d: check_domain(resolver, d, options), options.domains):
                checks.extend(domain_checks)
                task.advance()
    lookups = sum(int(c.properties.get("lookups", 0)) for c in checks if c.group == "spf")
    metrics: dict[str, Figure] = {"domains": len(options.domains), "spf_lookups": lookups,
                                  "policy": options.policy}
    return Report("email", tuple(checks), time.monotonic() - started, metrics)


def check_domain(resolver: Resolver, domain: str, options: Options) -> list[Check]:
    """Every record family of one domain; independent families are looked up concurrently."""
    from gates.email.dkim import check_dkim
    from gates.email.dmarc import check_dmarc
    from gates.email.mta_sts import Fetch, check_mta_sts
    from gates.email.mx import UNKNOWN, check_mx, check_tls_rpt
    from gates.email.spf import check_spf

    with ThreadPoolExecutor(max_workers=6) as pool:
        # The MX check needs the SPF and DMARC results; its lookups need not wait for them (cached).
        pool.submit(resolver.mx, domain)
        spf = _timed(pool, lambda: check_spf(resolver, domain))
        dkim = _timed(pool, lambda: check_dkim(resolver, domain, options.dkim_selectors))
        dmarc = _timed(pool, lambda: check_dmarc(resolver, domain, options.policy))
        fetch = Fetch(options.mta_sts_fetch, options.mta_sts_port, options.ca_bundle, options.timeout_s)
        sts = _timed(pool, lambda: check_mta_sts(resolver, domain, options.require_mta_sts, fetch))
        rpt = _timed(pool, lambda: check_tls_rpt(resolver, domain, options.require_mta_sts))
        (spf_result, spf_record), spf_s = spf.result()
        (dmarc_result, dmarc_summary), dmarc_s = dmarc.result()
        mx_started = time.monotonic()
        mx_result = check_mx(resolver, domain, UNKNOWN if spf_result.failures else spf_record.record,
                             UNKNOWN if dmarc_result.failures else dmarc_summary.policy)
        mx_s = time.monotonic() - mx_started
        (dkim_result, dkim_summary), dkim_s = dkim.result()
        (sts_result, sts_s), (rpt_result, rpt_s) = sts.result(), rpt.result()
    if options.policy == "bulk-sender" and not dkim_summary.valid_selectors and not dkim_result.failures:
        dkim_result.error("bulk-sender-required", "Gmail and Yahoo require bulk senders to sign with DKIM, and "
                          "no valid DKIM key was found", evidence=f"<selector>._domainkey.{domain}",
                          fix="Turn on DKIM signing at your provider, publish its key and pass --dkim-selector.")
    results: list[tuple[Result, float]] = [(spf_result, spf_s), (dkim_result, dkim_s), (dmarc_result, dmarc_s),
                                           (mx_result, mx_s), (sts_result, sts_s), (rpt_result, rpt_s)]
    return [result.to_check(seconds) for result, seconds in results]


def _timed(pool: ThreadPoolExecutor, work: Callable[[], T]) -> Future[tuple[T, float]]:
    def timed() -> tuple[T, float]:
        started = time.monotonic()
        value = work()
        return value, time.monotonic() - started

    return pool.submit(timed)
