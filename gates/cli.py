"""The `gates` command. Subcommands load lazily: this module imports click and nothing heavy,
because it runs on every commit as a pre-commit hook."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from gates import __version__

# name -> (module:attribute, one-line help). The help lives here so `gates --help` imports no gate.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("gates.run_command:command", "Run the gates of a stage and combine their results."),
    "secrets": ("gates.secrets.command:command", "Find secrets in git history, staged changes and builds."),
    "deps": ("gates.deps.command:command", "Block known-vulnerable dependencies."),
    "migrations": ("gates.migrations.command:command", "Dry-run migrations on a throwaway PostgreSQL."),
    "timing": ("gates.timing.command:command", "Hold routes to timing budgets under load."),
    "smoke": ("gates.smoke.command:command", "Smoke-test a deploy; roll back when it fails."),
    "edge": ("gates.edge.command:command", "Check DNS, redirects, TLS, caching and cookies."),
    "email": ("gates.email.command:command", "Check SPF, DKIM and DMARC of sending domains."),
    "ai": ("gates.ai.command:command", "Attack the app's AI endpoint with prompt injections."),
    "init": ("gates.init_command:command", "Write a commented gates.toml detected from the repo."),
}


def _available(target: str) -> bool:
    """Whether the subcommand's module ships, without importing its package (find_spec would)."""
    parts = target.partition(":")[0].split(".")[1:]
    base = Path(__file__).parent.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (target, _) in SUBCOMMANDS.items() if _available(target)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None or not _available(entry[0]):
            return None
        module_name, _, attribute = entry[0].partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gates")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: gates.toml or [tool.gates] in pyproject.toml, up to the git root).")
@click.option("--debug", is_flag=True, help="Show tracebacks for expected errors too.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, debug: bool) -> None:
    """Launch Gates: stop a release when it is not safe to ship.

    Exit codes: 0 pass, 1 release blocked, 2 usage or config error, 3 could not evaluate.
    """
    from gates.cli_support import AppState

    ctx.obj = AppState(config_path=config_path, debug=debug)


def main() -> None:
    _terminate_like_interrupt()
    cli(prog_name="gates")


def _terminate_like_interrupt() -> None:
    """A cancelled CI job sends SIGTERM: unwind as for Ctrl-C, so servers and apps a gate started are stopped."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup short
        raise KeyboardInterrupt("SIGTERM")

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, interrupt)
