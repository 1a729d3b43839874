"""The gate's Options, built from the [migrations] table merged with flags, and validated."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gates.common.duration import parse_duration
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured
from gates.migrations.discover import MigrationSet, discover


@dataclass(frozen=True)
class Allow:
    rule: str
    path: str  # glob on the file's path relative to the root; "" = any
    reason: str


@dataclass(frozen=True)
class Options:
    root: Path
    sets: tuple[MigrationSet, ...]
    database_url: str = ""
    i_know_this_is_not_production: bool = False
    schema: Path | None = None
    lock_timeout: float = 0.0
    statement_timeout: float = 300.0
    allow: tuple[Allow, ...] = ()
    seed: bool = True
    from_ref: str = ""
    env: tuple[tuple[str, str], ...] = ()  # given to framework commands (Django settings)
    debug: bool = False


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    root = ctx.root
    paths = section.get("path") or ()
    if isinstance(paths, str):
        paths = (paths,)
    framework = section.get("framework") or None
    sets = discover(root, tuple(paths), framework)
    if not sets or not any(s.migrations or not s.runnable for s in sets):
        raise NotConfigured(
            "no migrations found (looked for Supabase, Prisma, Drizzle, Flyway, golang-migrate, dbmate, Alembic,"
            " Django and plain migrations/*.sql folders); set [migrations] path or --path"
        )
    url = _str(section, "database_url") or os.environ.get("DATABASE_URL", "")
    schema = _str(section, "schema")
    schema_path = (root / schema) if schema else None
    if schema_path is not None and not schema_path.is_file():
        raise ConfigError(f"[migrations] schema: expected a SQL file (pg_dump --schema-only), got {schema!r}"
                          " which does not exist")
    return Options(
        root=root,
        sets=tuple(sets),
        database_url=url,
        i_know_this_is_not_production=bool(section.get("i_know_this_is_not_production", False)),
        schema=schema_path,
        lock_timeout=_duration(section, "lock_timeout", 0.0),
        statement_timeout=_duration(section, "statement_timeout", 300.0),
        allow=tuple(_allow(item) for item in section.get("allow") or ()),
        seed=bool(section.get("seed", True)),
        from_ref=_str(section, "from_ref"),
        env=tuple(sorted((str(k), str(v)) for k, v in (section.get("env") or {}).items())),
        debug=ctx.debug,
    )


def _str(section: Mapping[str, Any], key: str) -> str:
    value = section.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(f"[migrations] {key}: expected a string, got {type(value).__name__}")
    return value


def _duration(section: Mapping[str, Any], key: str, default: float) -> float:
    if section.get(key) in (None, ""):
        return default
    try:
        return parse_duration(section[key])
    except ValueError as exc:
        raise ConfigError(f"[migrations] {key}: {exc}") from None


def _allow(item: Any) -> Allow:
    if not isinstance(item, Mapping) or not item.get("reason"):
        raise ConfigError("[[migrations.allow]]: expected a table with rule, path and a reason")
    return Allow(str(item.get("rule", "")), str(item.get("path", "")), str(item["reason"]))
