"""Write a detect-secrets baseline whose entries do not move when code does.

Entries are keyed by file and hashed secret only: no line numbers, no timestamp, sorted — so a
baseline changes when a secret appears or goes, not on every edit above it (the churn users of
detect-secrets baselines complain about). Entries already in the file (and their audit fields
such as `is_secret`) are kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gates.errors import CannotEvaluate
from gates.progress import Progress
from gates.secrets.findings import Suppressed, hashed, keep
from gates.secrets.options import Options
from gates.secrets.scanner import Located


def build(found: list[Located], existing: dict[str, Any], settings: dict[str, Any], version: str) -> dict[str, Any]:
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for filename, entries in (existing.get("results") or {}).items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "hashed_secret" in entry:
                kept = {k: v for k, v in entry.items() if k != "line_number"}
                results.setdefault(filename, {})[str(entry["hashed_secret"])] = kept
    for item in found:
        digest = hashed(item)
        entry = {"type": item.hit.kind, "filename": item.origin.path, "hashed_secret": digest, "is_verified": False}
        results.setdefault(item.origin.path, {}).setdefault(digest, entry)
    return {
        "version": version,
        "plugins_used": settings.get("plugins_used", []),
        "filters_used": settings.get("filters_used", []),
        "results": {
            name: sorted(entries.values(), key=lambda e: (str(e.get("type")), str(e["hashed_secret"])))
            for name, entries in sorted(results.items())
        },
    }


def write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def collect(options: Options, progress: Progress) -> list[Located]:
    """Every finding the scan sees, before any baseline (allow entries still apply)."""
    from gates.secrets.checks import scan_scopes

    found: list[Located] = []
    for scope, scanner, _ in scan_scopes(options, progress):
        if scope.error:
            raise CannotEvaluate(f"{scope.name}: {scope.error}")
        found.extend(keep(scanner.found.values(), frozenset(), options.allow, Suppressed()))
    return found
