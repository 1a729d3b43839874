"""The attacks: the built-in set (attacks.yaml, shipped in this package) and the team's own `cases` file.

A case is one attack with the expectations only it can check (`must_not_contain`, `must_refuse`,
`must_not_call`); the generic judges (canaries, system prompt spans, credentials, links, forbidden tools)
apply to every answer whatever the case.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from gates.errors import CannotEvaluate, ConfigError
from gates.report import Severity

BUILTIN = "builtin"
_KEYS = {"id", "category", "owasp", "title", "prompt", "prompts", "must_not_contain", "must_refuse",
         "must_not_call"}


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    prompts: tuple[str, ...]
    title: str = ""
    owasp: str = ""
    must_not_contain: tuple[str, ...] = ()
    must_refuse: Severity | None = None
    must_not_call: tuple[str, ...] = ()
    source: str = BUILTIN  # "builtin" or the path of the team's cases file
    line: int | None = None


@dataclass(frozen=True)
class AttackSet:
    version: str
    cases: tuple[Case, ...]


def load_builtin() -> AttackSet:
    import yaml

    try:
        text = resources.files("gates.ai").joinpath("attacks.yaml").read_text(encoding="utf-8")
    except OSError:
        # A packaging mistake, not the user's: say so instead of a traceback.
        raise CannotEvaluate("ai: the built-in attack set (gates/ai/attacks.yaml) is missing from this "
                             "installation; reinstall launch-gates") from None
    data = yaml.safe_load(text)
    cases = tuple(_case(item, index, BUILTIN, None) for index, item in enumerate(data["cases"]))
    return AttackSet(str(data["version"]), cases)


def load_team_cases(path: Path, shown: str) -> tuple[Case, ...]:
    """The team's cases file (YAML or JSON): a list of cases, or a table with `cases = [...]`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"[ai] cases: cannot read {shown}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"[ai] cases: {shown} is not UTF-8 text") from None
    data, lines = _parse(text, shown, path.suffix.lower() == ".json")
    items = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{shown}: expected a list of cases (or a `cases:` list), got {type(data).__name__}")
    return tuple(_case(item, index, shown, lines[index] if index < len(lines) else None)
                 for index, item in enumerate(items))


def _parse(text: str, shown: str, is_json: bool) -> tuple[Any, list[int]]:
    if is_json:
        try:
            return json.loads(text), []
        except ValueError as exc:
            raise ConfigError(f"{shown}: invalid JSON: {exc}") from None
    import yaml

    try:
        data = yaml.safe_load(text)
        return data, _item_lines(yaml.compose(text))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: invalid YAML: {exc}") from None


def _item_lines(node: Any) -> list[int]:
    """1-based line of each case, so findings can point at the case that failed."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "cases":
                node = value
                break
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _case(item: Any, index: int, source: str, line: int | None) -> Case:
    where = f"{source}: case {index + 1}" if source != BUILTIN else f"built-in attack {index + 1}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected a table with id, category and prompt")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(sorted(_KEYS))})")
    case_id = item.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise ConfigError(f"{where}: id: expected a string, got {case_id!r}")
    where = f"{where} ({case_id})"
    prompts = _strings(item.get("prompts", []), where, "prompts")
    if "prompt" in item:
        prompts = (*_strings([item["prompt"]], where, "prompt"), *prompts)
    if not prompts:
        raise ConfigError(f"{where}: prompt: expected a string (or prompts: a list of strings)")
    return Case(
        id=case_id.strip(),
        category=_text(item.get("category", "team"), where, "category"),
        prompts=prompts,
        title=_text(item.get("title", ""), where, "title"),
        owasp=_text(item.get("owasp", ""), where, "owasp"),
        must_not_contain=_strings(item.get("must_not_contain", []), where, "must_not_contain"),
        must_refuse=_refuse(item.get("must_refuse", False), where),
        must_not_call=_strings(item.get("must_not_call", []), where, "must_not_call"),
        source=source,
        line=line,
    )


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key}: expected a string, got {value!r}")
    return value


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key}: expected a list of non-empty strings, got {value!r}")
    return tuple(value)


def _refuse(value: Any, where: str) -> Severity | None:
    if value is True or value == "error":
        return Severity.ERROR
    if value == "warning":
        return Severity.WARNING
    if value is False or value is None:
        return None
    raise ConfigError(f"{where}: must_refuse: expected true, false, \"error\" or \"warning\", got {value!r}")


def check_unique(cases: Sequence[Case]) -> None:
    seen: dict[str, Case] = {}
    for case in cases:
        if case.id in seen:
            first = seen[case.id]
            raise ConfigError(f"{case.source}: case id {case.id!r} is used twice"
                              f" (also in {first.source}); ids must be unique")
        seen[case.id] = case
