"""The README's command examples must match the CLI: every flag it shows is in that command's --help."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from gates.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def example_commands() -> list[list[str]]:
    texts = [README.read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))] if DOCS.is_dir() else []
    commands = []
    for text in texts:
        for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, re.S):
            for line in block.splitlines():
                line = line.strip().removeprefix("$ ")
                try:
                    words = shlex.split(line, comments=True)
                except ValueError:  # not a shell line (an output sample)
                    continue
                while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
                    words.pop(0)  # VAR=value before the command
                for part in _split_commands(words):
                    if part[:1] == ["gates"]:
                        commands.append(part[1:])
    return commands


def _split_commands(words: list[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for word in words:
        if word in ("&&", "||", "|", ";"):
            parts.append([])
        else:
            parts[-1].append(word)
    return parts


def test_readme_has_examples() -> None:
    assert len(example_commands()) >= 4


def test_every_example_flag_exists() -> None:
    """Parse every example with click itself (no command runs): unknown commands and flags fail."""
    for words in example_commands():
        try:
            ctx = cli.make_context("gates", list(words))
            command: click.Command = cli
            while isinstance(command, click.Group):
                protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
                rest = [*protected, *ctx.args]
                if not rest:
                    break
                name, sub, args = command.resolve_command(ctx, rest)
                assert sub is not None and name is not None
                ctx = sub.make_context(name, args, parent=ctx)
                command = sub
        except click.exceptions.Exit:
            continue  # --help / --version
        except click.MissingParameter:
            continue  # an example that leaves out a value is still a valid shape
        except click.UsageError as exc:
            raise AssertionError(f"README example 'gates {' '.join(words)}': {exc.format_message()}") from None
