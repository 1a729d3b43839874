"""`gates timing`: flags named after the [timing] keys; routes and budgets live in [[timing.routes]]."""

from __future__ import annotations

from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


@click.command("timing")
@click.option("--base-url", help="The app under load, e.g. http://127.0.0.1:8000.")
@click.option("--start", help="Command that starts the app; the gate stops it afterwards.")
@click.option("--ready", help="Path polled until the started app answers (default /).")
@click.option("--users", type=int, help="Simulated users (default 25); open workload: connections.")
@click.option("--spawn-rate", type=float, help="Users started per second (default: all in one second).")
@click.option("--duration", help="Measured load time, e.g. 30s (default 30s).")
@click.option("--warmup", help="Load before measuring, excluded from the figures, e.g. 5s.")
@click.option("--think-time", help="Pause between a user's requests: 1 or 0.5-1.5 seconds (default 0.5-1.5).")
@click.option("--arrival-rate", type=float,
              help="Open workload: requests per second, latency from the scheduled send time.")
@click.option("--min-requests", type=int, help="Fewer requests make a route inconclusive (default 200).")
@click.option("--processes", type=int, help="Load generator processes (default 1); use one per spare core.")
@click.option("--timeout", help="Hard limit for a load run (default warmup + duration + drain + 60s).")
@click.option("--verify", is_flag=True, default=None, help="Check HTTPS certificates (not checked by default).")
@click.option("--ca-bundle", help="PEM file of CA certificates for HTTPS (implies --verify).")
@click.option("--baseline", help="Baseline file (default .gates/timing-baseline.json).")
@click.option("--update-baseline", is_flag=True, default=None, help="Append this run to the baseline if it passed.")
@click.option("--ramp", help="Capacity finder: user steps, e.g. 10,25,50,100.")
@click.option("--html", help="Write a self-contained HTML report with latency charts here.")
@output_options(sarif=False)
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Put a realistic load on the app's routes; block when a route's p50/p95/p99 or error rate is over
    its budget, or has regressed against the baseline.

    Exit codes: 0 pass, 1 blocked, 2 config error, 3 could not evaluate (app unreachable or would not
    start, too few samples, load generator overloaded).
    """
    outputs = outputs_from(params)
    run_gate(ctx, "timing", params, outputs)
