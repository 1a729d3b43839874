"""`gates init`: write a commented gates.toml from what the repository shows."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gates.cli_support import app_state, error_boundary
from gates.config import git_root, validate
from gates.errors import UsageError
from gates.init_detect import Detected, detect


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing gates.toml.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the config instead of writing gates.toml.")
@click.pass_context
def command(ctx: click.Context, /, force: bool, to_stdout: bool) -> None:
    """Write a commented gates.toml detected from the repository."""
    with error_boundary(app_state(ctx).debug):
        root = git_root(Path.cwd())
        text = render(detect(root))
        validate(_parse(text), "generated gates.toml")  # what we write must load
        if to_stdout:
            click.echo(text, nl=False)
            sys.exit(0)
        target = root / "gates.toml"
        if target.exists() and not force:
            raise UsageError(f"{target} exists; pass --force to overwrite it, or --stdout to compare")
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")
    sys.exit(0)


def _parse(text: str) -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads(text)


def render(found: Detected) -> str:
    lines = [
        "# Launch Gates configuration, written by `gates init`. Every key has a --flag of the same name.",
        "# Secrets come from the environment: ${VAR} or ${VAR:-default}. Never write one here.",
        "",
        "[stages]",
        'pre-commit  = ["secrets", "deps"]',
        'pr          = ["secrets", "deps", "migrations", "timing"]',
        'post-deploy = ["smoke", "edge", "email"]',
        "",
        "[secrets]",
        '# baseline = ".secrets.baseline"   # a detect-secrets baseline, read as-is',
    ]
    if found.build_dirs:
        lines.append(f"paths = {_array(found.build_dirs)}   # build output scanned on disk")
    else:
        lines.append('# paths = ["dist"]                # build output scanned on disk')
    lines += ["", "[deps]"]
    if found.manifests:
        lines.append(f"files = {_array(found.manifests)}")
    else:
        lines.append("# files = [\"requirements.txt\"]      # no manifest found; default: auto-detect")
    lines.append('# db = "~/.cache/gates/osv"          # offline OSV database; absent = online services')
    lines += ["", "[migrations]"]
    if found.migrations:
        lines.append(f'path = {_array(found.migrations) if len(found.migrations) > 1 else _str(found.migrations[0])}')
    else:
        lines.append('# path = "migrations"               # no migration folder found; default: auto-detect')
    lines.append('database_url = "${DATABASE_URL:-}"   # empty: an embedded throwaway PostgreSQL')
    port = found.port or 8000
    lines += ["", "[timing]"]
    if found.start:
        lines += [f'base_url = "http://127.0.0.1:{port}"', f"start = {_str(found.start)}   # the gate starts the app",
                  'ready = "/"', "users = 10", 'duration = "20s"',
                  "[[timing.routes]]", 'name = "home"', 'path = "/"', "p95_ms = 500"]
    else:
        lines += ['# base_url = "http://127.0.0.1:8000"', '# start = "uvicorn app:app --port 8000"']
    lines += [
        "",
        "[smoke]",
        '# base_url = "https://app.example.com"',
        '# rollback = "./scripts/rollback.sh"',
        "",
        "[edge]",
        '# domain = "example.com"',
        '# canonical = "https://example.com"',
        "",
        "[email]",
        '# domains = ["example.com"]',
        "",
    ]
    return "\n".join(lines)


def _str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_str(v) for v in values) + "]"
