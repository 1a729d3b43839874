"""`gates ai`: flags named after the [ai] keys; `--list` prints the attack set and exits."""

from __future__ import annotations

from typing import Any

import click

from gates.cli_support import output_options, outputs_from, run_gate


def print_attacks(ctx: click.Context, flags: dict[str, Any]) -> None:
    """The attacks a run would send: your cases, then the built-in set (after `builtin` and `categories`)."""
    from gates.ai.options import attack_list
    from gates.cli_support import app_state, error_boundary, merge_flags
    from gates.config import load_config

    state = app_state(ctx)
    with error_boundary(state.debug):
        config = load_config(state.config_path)
        # The raw table: listing needs no ${SECRETS} from the environment.
        raw = config.data.get("ai", {}) if isinstance(config.data.get("ai"), dict) else {}
        section = merge_flags(raw, {"cases": flags.get("cases"), "max_requests": flags.get("max_requests")})
        cases, version = attack_list(section, config.root)
    budget = section.get("max_requests", 60) if isinstance(section.get("max_requests", 60), int) else 60
    click.echo(f"Built-in attack set {version}; {len(cases)} attacks, in the order they are sent "
               f"(max_requests = {budget})")
    for case in cases:
        budget -= len(case.prompts)
        expects = [name for name, on in (("must_not_contain", case.must_not_contain),
                                         ("must_not_call", case.must_not_call)) if on]
        if case.must_refuse:
            expects.append(f"must_refuse={case.must_refuse.value}")
        origin = "" if case.source == "builtin" else f"  ({case.source}:{case.line})" if case.line else \
            f"  ({case.source})"
        click.echo(f"  {case.id:<28} {case.category:<19} {case.owasp:<6} {case.title}"
                   + (f"  [{', '.join(expects)}]" if expects else "") + origin
                   + ("  - not sent: over max_requests" if budget < 0 else ""))


@click.command("ai")
@click.option("--list", "list_", is_flag=True, help="Print the attacks a run would send (yours, then the built-in "
              "set) and exit.")
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
    if params.pop("list_"):
        print_attacks(ctx, params)
        return
    outputs = outputs_from(params)
    run_gate(ctx, "ai", params, outputs)
