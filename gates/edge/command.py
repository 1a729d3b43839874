"""`gates edge`: check the declared domain map (DNS, redirects, TLS, HSTS, cache, cookies, mixed content)."""

from __future__ import annotations

from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


@click.command("edge")
@click.option("--domain", help="Registered domain, e.g. example.com.")
@click.option("--canonical", help="The origin everything lands on, e.g. https://example.com.")
@click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDR",
              help="Connect HOST:PORT to ADDR instead of what DNS says (repeatable).")
@click.option("--nameserver", "nameservers", multiple=True, metavar="IP[:PORT]",
              help="Ask this DNS server; the gate's connections use its answers too (repeatable).")
@click.option("--ca-bundle", help="PEM file of trusted CAs (default: the system store).")
@click.option("--min-cert-days", type=int, help="Warn when a certificate expires sooner (default 14).")
@click.option("--http-port", type=int, help="Port http:// URLs connect to (default 80).")
@click.option("--https-port", type=int, help="Port https:// URLs connect to (default 443).")
@click.option("--timeout", help="Per DNS query, connection and request (default 10s).")
@output_options(sarif=False)
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Check DNS, redirects, TLS, HSTS, caching, cookies and mixed content of the [edge] domain map.

    Exit codes: 0 pass, 1 blocked, 2 usage or config error, 3 could not evaluate.
    """
    outputs = outputs_from(params)
    run_gate(ctx, "edge", params, outputs)
