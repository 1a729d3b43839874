"""Config schemas, one light module per gate (no heavy imports: the whole file is validated first)."""

from __future__ import annotations

import importlib

from gates.schema import Field, Schema

GATE_NAMES: tuple[str, ...] = ("secrets", "deps", "migrations", "timing", "smoke", "edge", "email", "ai")

TOP_LEVEL: Schema = {
    "stages": Field("table", "stage name -> list of gates"),
    "fail_on": Field("str", "error (default) or warning: warnings block too", choices=("error", "warning")),
}


def gate_schema(gate: str) -> Schema:
    module = importlib.import_module(f"gates.schemas.{gate}")
    schema: Schema = module.SCHEMA
    return schema
