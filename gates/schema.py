"""A small declarative schema for config tables, and its validator.

Each gate describes its table in `gates/schemas/<gate>.py` (kept free of heavy imports so the whole
file can be validated before any gate runs). Errors name the file, the table, the key, what was
expected and what was found, with a "did you mean" for unknown keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gates.common.duration import parse_duration
from gates.errors import ConfigError

# Kinds: str, int, number, bool, duration, list[str], map[str] (str -> str), table (free-form),
# any, record (fixed keys: `fields`), records (array of `fields` tables), str|list[str].
KINDS = frozenset(
    {"str", "int", "number", "bool", "duration", "list[str]", "map[str]", "table", "any", "record",
     "records", "str|list[str]", "int|list[int]"}
)


@dataclass(frozen=True)
class Field:
    kind: str
    doc: str = ""
    choices: tuple[str, ...] = ()
    fields: Mapping[str, Field] = field(default_factory=dict)
    required: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown schema kind {self.kind!r}")


Schema = Mapping[str, Field]


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class Validator:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, table: str, key: str, expected: str, value: Any) -> ConfigError:
        return ConfigError(f"{self.source}: [{table}] {key}: expected {expected}, got {describe(value)}")

    def table(self, data: Any, schema: Schema, table: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{self.source}: [{table}]: expected a table, got {describe(data)}")
        for key, value in data.items():
            spec = schema.get(key)
            if spec is None:
                known = sorted(schema)
                raise ConfigError(
                    f"{self.source}: [{table}] {key}: unknown key{suggest(key, known)}"
                    f" (known keys: {', '.join(known)})"
                )
            self.value(value, spec, table, key)
        for key, spec in schema.items():
            if spec.required and key not in data:
                raise ConfigError(f"{self.source}: [{table}] {key}: required key is missing")

    def value(self, value: Any, spec: Field, table: str, key: str) -> None:
        kind = spec.kind
        if kind == "any" or (kind == "table" and isinstance(value, dict)):
            return
        if kind == "str":
            if not isinstance(value, str):
                raise self.fail(table, key, "a string", value)
            if spec.choices and value not in spec.choices:
                raise self.fail(table, key, "one of " + ", ".join(repr(c) for c in spec.choices), value)
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(table, key, "an integer", value)
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(table, key, "a number", value)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(table, key, "true or false", value)
        elif kind == "duration":
            try:
                parse_duration(value)
            except ValueError:
                raise self.fail(table, key, "a duration like 30s, 5m or 500ms", value) from None
        elif kind == "list[str]":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(table, key, "an array of strings", value)
        elif kind == "str|list[str]":
            if not isinstance(value, str) and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise self.fail(table, key, "a string or an array of strings", value)
        elif kind == "int|list[int]":
            ints = value if isinstance(value, list) else [value]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in ints):
                raise self.fail(table, key, "an integer or an array of integers", value)
        elif kind == "map[str]":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise self.fail(table, key, "a table of strings", value)
            if spec.choices:
                for name, item in value.items():
                    if item not in spec.choices:
                        raise self.fail(
                            f"{table}.{key}", name, "one of " + ", ".join(repr(c) for c in spec.choices), item
                        )
        elif kind == "table":
            raise self.fail(table, key, "a table", value)
        elif kind == "record":
            self.table(value, spec.fields, f"{table}.{key}")
        elif kind == "records":
            if not isinstance(value, list):
                raise self.fail(table, key, f"an array of tables ([[{table}.{key}]])", value)
            for index, item in enumerate(value):
                self.table(item, spec.fields, f"{table}.{key}][{index}")
