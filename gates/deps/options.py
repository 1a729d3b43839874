"""The deps gate's Options, validated from its config table merged with CLI flags."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.context import GateContext
from gates.deps.model import SEVERITIES
from gates.deps.policy import Ignore, Policy
from gates.errors import ConfigError, NotConfigured


@dataclass(frozen=True)
class Options:
    root: Path
    files: tuple[Path, ...]
    named: bool  # the user listed the files (a file that will not parse is then a usage error)
    db: Path | None = None
    service: str = "pypi"
    no_dev: bool = False
    no_resolve: bool = False
    policy: Policy = field(default_factory=Policy)
    cache_dir: Path | None = None
    timeout: float = 15.0
    osv_url: str | None = None  # pip-audit --osv-url (implies service osv)
    today: dt.date = field(default_factory=dt.date.today)


def options_from_config(section: Mapping[str, Any], ctx: GateContext) -> Options:
    from gates.deps.readers import detect

    root = ctx.root
    files = _strings(section.get("files"), "files")
    if files:
        paths = tuple(dict.fromkeys(_under(root, f) for f in files))  # a file named twice is read once
        for path in paths:
            if not path.is_file():
                raise ConfigError(f"[deps] files: {path}: no such file")
    else:
        paths = tuple(detect(root))
        if not paths:
            raise NotConfigured("no requirements*.txt, pyproject.toml or lockfile found; "
                                "pass FILE… or set [deps] files")
    db_value = section.get("db")
    db = None
    if db_value not in (None, ""):
        if not isinstance(db_value, str):
            raise ConfigError(f"[deps] db: expected a path, got {db_value!r}")
        db = _under(root, os.path.expanduser(db_value))
        if not db.exists():
            raise ConfigError(f"[deps] db: {db_value}: no such file or directory")
    return Options(
        root=root,
        files=paths,
        named=bool(files),
        db=db,
        service=_choice(section.get("service") or ("osv" if section.get("osv_url") else "pypi"), "service",
                        ("pypi", "osv")),
        no_dev=_bool(section.get("no_dev"), "no_dev"),
        no_resolve=_bool(section.get("no_resolve"), "no_resolve"),
        policy=Policy(_choice(section.get("fail_on") or "low", "fail_on", SEVERITIES),
                      _ignores(section.get("ignore"))),
        cache_dir=_cache_dir(section.get("cache_dir"), root),
        timeout=_timeout(section.get("timeout")),
        osv_url=_url(section.get("osv_url")),
    )


def _under(root: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else root / path


def _strings(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[deps] {key}: expected an array of strings, got {value!r}")
    return value


def _choice(value: Any, key: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"[deps] {key}: expected one of {', '.join(choices)}, got {value!r}")
    return str(value)


def _bool(value: Any, key: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(f"[deps] {key}: expected true or false, got {value!r}")
    return value


def _url(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ConfigError(f"[deps] osv_url: expected an http(s) URL, got {value!r}")
    return value


def _timeout(value: Any) -> float:
    if value is None:
        return 15.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"[deps] timeout: expected a positive number of seconds, got {value!r}")
    return float(value)


def _cache_dir(value: Any, root: Path) -> Path:
    if isinstance(value, str) and value:
        return _under(root, os.path.expanduser(value))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gates" / "deps"


def _ignores(value: Any) -> tuple[Ignore, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError("[deps] ignore: expected an array of tables ([[deps.ignore]])")
    ignores = []
    for index, item in enumerate(value):
        where = f"[[deps.ignore]] #{index + 1}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected a table")
        vid, reason = item.get("id"), item.get("reason")
        if not isinstance(vid, str) or not vid.strip():
            raise ConfigError(f"{where} id: expected an advisory id (PYSEC-…, GHSA-…, CVE-…), got {vid!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where} ({vid}) reason: expected a non-empty string saying why")
        ignores.append(Ignore(vid.strip(), reason.strip(), _date(item.get("until"), f"{where} ({vid}) until")))
    return tuple(ignores)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where}: expected a date YYYY-MM-DD, got {value!r}")
