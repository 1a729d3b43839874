"""Find, load and validate the config; interpolate ${VAR} from the environment, one section at a time.

`gates.toml` at the repository root or `[tool.gates]` in `pyproject.toml`, looked for from the
working directory up to the git root (first found wins); `--config` picks a file. A section is
interpolated only when its gate runs, so an unset `${DEMO_PASSWORD}` does not stop `gates secrets`.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.errors import ConfigError
from gates.schema import Validator, suggest
from gates.schemas import GATE_NAMES, TOP_LEVEL, gate_schema

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_STAGES: dict[str, list[str]] = {
    "pre-commit": ["secrets", "deps"],
    "pr": ["secrets", "deps", "migrations", "timing"],
    "post-deploy": ["smoke", "edge", "email"],
}

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Interpolated values under keys (or from variables) with names like these are secrets: no output shows them.
_SECRET_NAME = re.compile(r"pass|secret|token|key|auth|credential|cookie|session|database_url|dsn", re.I)


@dataclass(frozen=True)
class Section:
    """One gate's table, interpolated; `secrets` are values no output may show."""

    gate: str
    data: dict[str, Any]
    secrets: frozenset[str] = frozenset()
    source: str = "defaults"


@dataclass(frozen=True)
class Config:
    path: Path | None
    root: Path
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.path) if self.path else "defaults"

    def section(self, gate: str, environ: Mapping[str, str] | None = None) -> Section:
        raw = self.data.get(gate, {})
        secrets: set[str] = set()
        env = os.environ if environ is None else environ
        data = _interpolate(copy.deepcopy(raw), env, self.source, gate, secrets)
        return Section(gate, data, frozenset(secrets), self.source)

    def stages(self) -> dict[str, list[str]]:
        stages = {name: list(gates) for name, gates in DEFAULT_STAGES.items()}
        stages.update(self.data.get("stages", {}))
        return stages

    @property
    def fail_on(self) -> str:
        value: str = self.data.get("fail_on", "error")
        return value


def find_config(start: Path) -> Path | None:
    """gates.toml, or a pyproject.toml with [tool.gates], from `start` up to the git root."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / "gates.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_gates(pyproject):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def git_root(start: Path) -> Path:
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def load_config(explicit: Path | None = None, cwd: Path | None = None) -> Config:
    cwd = cwd or Path.cwd()
    path = explicit if explicit is not None else find_config(cwd)
    if path is None:
        return Config(None, git_root(cwd))
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    data = _read_toml(path)
    if path.name == "pyproject.toml" or explicit is not None and "tool" in data and "gates" in data["tool"]:
        data = data.get("tool", {}).get("gates", {})
    validate(data, str(path))
    root = path.resolve().parent if explicit is None else git_root(cwd)
    return Config(path, root, data)


def validate(data: Mapping[str, Any], source: str) -> None:
    known = [*TOP_LEVEL, *GATE_NAMES]
    for key, value in data.items():
        if key in GATE_NAMES:
            Validator(source).table(value, gate_schema(key), key)
        elif key in TOP_LEVEL:
            Validator(source).value(value, TOP_LEVEL[key], "top level", key)
        else:
            raise ConfigError(f"{source}: [{key}]: unknown gate or table{suggest(key, known)}"
                              f" (gates: {', '.join(GATE_NAMES)})")
    _validate_stages(data.get("stages", {}), source)


def _validate_stages(stages: Mapping[str, Any], source: str) -> None:
    for stage, gates in stages.items():
        if not isinstance(gates, list) or not all(isinstance(g, str) for g in gates):
            raise ConfigError(f"{source}: [stages] {stage}: expected an array of gate names, got {gates!r}")
        for gate in gates:
            if gate not in GATE_NAMES:
                raise ConfigError(
                    f"{source}: [stages] {stage}: unknown gate {gate!r}{suggest(gate, list(GATE_NAMES))}"
                    f" (gates: {', '.join(GATE_NAMES)})"
                )


def _has_tool_gates(pyproject: Path) -> bool:
    try:
        return "gates" in _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _interpolate(value: Any, env: Mapping[str, str], source: str, key: str, secrets: set[str]) -> Any:
    if isinstance(value, str):
        return _expand(value, env, source, key, secrets)
    if isinstance(value, list):
        return [_interpolate(v, env, source, f"{key}[{i}]", secrets) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _interpolate(v, env, source, f"{key}.{k}", secrets) for k, v in value.items()}
    return value


def _expand(text: str, env: Mapping[str, str], source: str, key: str, secrets: set[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            value = env[name]
        elif default is not None:
            value = default
        else:
            table, _, leaf = key.rpartition(".")
            raise ConfigError(
                f"{source}: [{table or key}] {leaf or key}: environment variable {name} is not set"
                f" (export it, or write ${{{name}:-default}})"
            )
        if value and (_SECRET_NAME.search(name) or _SECRET_NAME.search(key.rsplit(".", 1)[-1])):
            secrets.add(value)
        return value

    return _VAR.sub(replace, text)
