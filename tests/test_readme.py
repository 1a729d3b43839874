"""The README's command examples must match the CLI: every flag it shows is in that command's --help."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

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


def help_text(path: list[str]) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, f"gates {' '.join(path)} --help: {result.output}"
    return result.output


def test_readme_has_examples() -> None:
    assert len(example_commands()) >= 4


def test_every_example_flag_exists() -> None:
    group_help = help_text([])
    for words in example_commands():
        path: list[str] = []
        for word in words:
            if word.startswith("-"):
                flag = word.split("=", 1)[0]
                where = help_text(path) if path else group_help
                assert re.search(rf"(^|[\s,/]){re.escape(flag)}([\s,=/]|$)", where, re.M), (
                    f"README example 'gates {' '.join(words)}': {flag} is not an option of 'gates {' '.join(path)}'"
                )
            elif not path or (len(path) == 1 and word in _subcommands(path)):
                if not path and word not in _subcommands([]):
                    raise AssertionError(f"README example 'gates {' '.join(words)}': no command {word!r}")
                path.append(word)


def _subcommands(path: list[str]) -> set[str]:
    text = help_text(path)
    if "Commands:" not in text:
        return set()
    block = text.split("Commands:", 1)[1]
    return {line.split()[0] for line in block.splitlines() if line.startswith("  ") and line.split()}
