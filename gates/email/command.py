"""`gates email`: check the DNS records of sending domains (SPF, DKIM, DMARC, MX, MTA-STS, TLS-RPT)."""

from __future__ import annotations

from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


@click.command("email")
@click.option("--domain", "domains", multiple=True, metavar="DOMAIN", help="Sending domain to check (repeatable).")
@click.option("--dkim-selector", "dkim_selectors", multiple=True, metavar="NAME",
              help="DKIM selector to check (repeatable); default: try common ESP selectors.")
@click.option("--nameserver", "nameservers", multiple=True, metavar="IP[:PORT]",
              help="Ask this DNS server (repeatable); default: the system resolver.")
@click.option("--policy", type=click.Choice(["baseline", "strict", "bulk-sender"]),
              help="How strong DMARC must be (default baseline).")
@click.option("--timeout", metavar="DURATION", help="Per-lookup DNS timeout (default 3s).")
@click.option("--deadline", metavar="DURATION", help="Total time for the whole run (default 60s).")
@click.option("--require-mta-sts", is_flag=True, default=None, help="MTA-STS and TLS-RPT problems block.")
@click.option("--mta-sts-fetch/--no-mta-sts-fetch", "mta_sts_fetch", default=None,
              help="Fetch the MTA-STS policy file over HTTPS (default on).")
@click.option("--ca-bundle", metavar="PEM", help="Extra CA bundle for the MTA-STS policy server.")
@output_options(sarif=False)
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """SPF, DKIM, DMARC, MX, MTA-STS and TLS-RPT for sending domains."""
    outputs = outputs_from(params)
    run_gate(ctx, "email", params, outputs)
