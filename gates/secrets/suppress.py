"""Suppressions the way users already write them: a detect-secrets baseline and `[[secrets.allow]]`.

A baseline is read as-is: any entry whose `hashed_secret` (SHA-1 of the value) equals a finding's
suppresses it, wherever the file now lives — renames and line moves do not re-open it. An allow
entry matches when every key it gives (path glob, rule, fingerprint prefix) matches, and must say
why (`reason`). Inline `pragma: allowlist secret` is handled while scanning.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gates.errors import ConfigError


@dataclass(frozen=True)
class Allow:
    reason: str
    path: str | None = None
    rule: str | None = None
    fingerprint: str | None = None

    def matches(self, rule: str, path: str, fingerprint: str) -> bool:
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self.rule is not None and self.rule != rule:
            return False
        return self.fingerprint is None or fingerprint.startswith(self.fingerprint.lower())


def parse_allow(entries: Sequence[Mapping[str, Any]]) -> tuple[Allow, ...]:
    rules = []
    for index, entry in enumerate(entries):
        where = f"[[secrets.allow]] #{index + 1}"
        reason = str(entry.get("reason", "")).strip()
        if not reason:
            raise ConfigError(f"{where} reason: expected a non-empty string saying why it is allowed")
        keys = {k: entry.get(k) for k in ("path", "rule", "fingerprint")}
        if all(v in (None, "") for v in keys.values()):
            raise ConfigError(f"{where}: expected at least one of path, rule or fingerprint")
        fingerprint = keys["fingerprint"]
        if fingerprint is not None and len(str(fingerprint)) < 8:
            raise ConfigError(f"{where} fingerprint: expected at least 8 hex characters, got {fingerprint!r}")
        rules.append(Allow(reason, *(str(v) if v not in (None, "") else None for v in keys.values())))
    return tuple(rules)


def read_baseline(path: Path | None) -> tuple[frozenset[str], dict[str, Any]]:
    """(hashed secrets, the whole document) of a detect-secrets baseline; empty when there is none."""
    if path is None or not path.is_file():
        return frozenset(), {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable detect-secrets baseline: {exc}") from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict):
        raise ConfigError(f"{path}: not a detect-secrets baseline: no \"results\" table")
    hashes = {
        str(entry["hashed_secret"])
        for entries in results.values() if isinstance(entries, list)
        for entry in entries if isinstance(entry, dict) and "hashed_secret" in entry
    }
    return frozenset(hashes), document
