"""`gates smoke`: flags named after the [smoke] keys; the gate itself lives in gates.smoke."""

from __future__ import annotations

from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


@click.command("smoke")
@click.option("--base-url", help="The deployed app, e.g. https://app.example.com.")
@click.option("--path", "paths", multiple=True, metavar="PATH", help="Also GET this path, expecting a status < 400.")
@click.option("--health", help="Health path polled by --wait (default: /health, /healthz, /api/health, /).")
@click.option("--wait", metavar="DURATION", help="Poll the health check this long for the deploy to come up.")
@click.option("--retries", metavar="N", help="Retries per check on 502/503/504 and connection resets (default 2).")
@click.option("--backoff", metavar="DURATION", help="First retry delay, doubled each retry (default 0.5s).")
@click.option("--timeout", metavar="DURATION", help="Per-request timeout (default 10s).")
@click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDR",
              help="Connect to ADDR for HOST:PORT, keeping Host, SNI and certificate checks (like curl).")
@click.option("--connect-to", "connect_to", multiple=True, metavar="HOST1:PORT1:HOST2:PORT2",
              help="Dial HOST2:PORT2 for HOST1:PORT1, keeping the URL, Host, SNI and certificate checks (like curl).")
@click.option("--ca-bundle", type=click.Path(dir_okay=False), help="PEM bundle of CAs to trust.")
@click.option("--rollback-cmd", "rollback", metavar="CMD",
              help="Run once when the gate blocks (split like a shell, never run through one).")
@click.option("--rollback-timeout", metavar="DURATION", help="Kill the rollback after this long (default 300s).")
@click.option("--rollback-on-inconclusive", is_flag=True, default=None,
              help="Roll back when the watch window is inconclusive too.")
@click.option("--watch", metavar="DURATION", help="After the first pass, keep checking for this long.")
@click.option("--interval", metavar="DURATION", help="Time between watch rounds (default 15s).")
@click.option("--max-error-rate", metavar="RATE", help="Largest share of failed checks in the window (default 0.01).")
@click.option("--failure-limit", metavar="N", help="Failed watch rounds tolerated (default 0).")
@click.option("--consecutive-errors", metavar="N",
              help="Rounds in a row that could not check before the window is inconclusive (default 4).")
@click.option("--dry-run", is_flag=True, default=None, help="Print what would be checked and rolled back.")
@output_options(sarif=False)
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Smoke-test a deploy; roll back (once) when it fails.

    Exit codes: 0 pass, 1 blocked (after rolling back, if set), 2 usage or config error, 3 could not check
    (a watch window that is inconclusive, a name that does not resolve).
    """
    from gates.smoke import github_outputs

    outputs = outputs_from(params)
    run_gate(ctx, "smoke", params, outputs, github_outputs=github_outputs)
