"""`gates ai`: flags named after the [ai] keys; `--list` prints the attack set and exits."""

from __future__ import annotations

from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


def _list(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from gates.ai.cases import load_builtin

    attacks = load_builtin()
    click.echo(f"Built-in attack set {attacks.version} ({len(attacks.cases)} cases)")
    for case in attacks.cases:
        expects = []
        if case.must_not_contain:
            expects.append("must_not_contain")
        if case.must_refuse:
            expects.append(f"must_refuse={case.must_refuse.value}")
        click.echo(f"  {case.id:<28} {case.category:<19} {case.owasp:<6} {case.title}"
                   + (f"  [{', '.join(expects)}]" if expects else ""))
    ctx.exit(0)


@click.command("ai")
@click.option("--list", "list_", is_flag=True, expose_value=False, is_eager=True, callback=_list,
              help="Print the built-in attacks and exit.")
@click.option("--url", help="The chat endpoint (or --base-url and --path).")
@click.option("--base-url")
@click.option("--path")
@click.option("--method", help="HTTP method (default POST).")
@click.option("--answer", help="Dotted path to the answer in the JSON response, e.g. choices.0.message.content.")
@click.option("--stream", type=click.Choice(["auto", "openai", "vercel", "none"]), help="How the answer arrives.")
@click.option("--auth/--no-auth", default=None, help="Log in first ([ai.login] or [smoke.login]).")
@click.option("--canary", "canaries", multiple=True, help="A string no answer may contain (repeatable).")
@click.option("--system-prompt-file", help="Answers must not reproduce a long span of this file.")
@click.option("--allowed-domain", "allowed_domains", multiple=True, help="Links and images may point here.")
@click.option("--forbidden-tool", "forbidden_tools", multiple=True, help="A tool the assistant must never call.")
@click.option("--cases", help="YAML/JSON file of the team's own attacks.")
@click.option("--p95-ms", type=float, help="Budget for the 95th percentile answer time.")
@click.option("--max-requests", type=int, help="At most this many requests (default 60).")
@click.option("--max-error-rate", type=float, help="Share of requests that may fail before the gate blocks.")
@click.option("--concurrency", type=int, help="Requests in flight at once (default 8).")
@click.option("--timeout", help="Per request, e.g. 30s.")
@click.option("--ca-bundle", help="CA bundle for HTTPS.")
@click.option("--resolve", multiple=True, metavar="HOST:PORT:ADDR", help="Connect to ADDR for HOST:PORT (like curl).")
@output_options()
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> None:
    """Attack the app's chat endpoint with prompt injections; block leaks and forbidden tool calls.

    Exit codes: 0 pass, 1 blocked, 2 config error, 3 could not evaluate (endpoint down, 5xx, timeouts).
    """
    outputs = outputs_from(params)
    run_gate(ctx, "ai", params, outputs)
