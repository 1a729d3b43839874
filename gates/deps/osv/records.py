"""Turn one OSV record (already decoded from JSON or YAML) into an `Advisory`.

Only what the gate needs is kept: id, aliases, summary, a severity grade, and the affected entries
of the ecosystems we audit. A record that is not an OSV object raises `RecordError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gates.deps.model import NPM, PYPI, Advisory, Affected, Event, Range
from gates.deps.osv.cvss import base_score_v3, rating
from gates.deps.osv.versions import canonical

ECOSYSTEMS = {"pypi": PYPI, "npm": NPM}
_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
_TEXT_SEVERITY = {"low": "low", "moderate": "medium", "medium": "medium", "high": "high", "critical": "critical"}


class RecordError(ValueError):
    pass


def is_withdrawn(record: Mapping[str, Any]) -> bool:
    return bool(record.get("withdrawn"))


def advisory_from_record(record: Any) -> Advisory:
    if not isinstance(record, Mapping) or not isinstance(record.get("id"), str):
        raise RecordError("not an OSV record (no string `id`)")
    affected = tuple(entry for raw in record.get("affected") or () if (entry := _affected(raw)) is not None)
    aliases = tuple(a for a in record.get("aliases") or () if isinstance(a, str) and a != record["id"])
    summary = record.get("summary") or _first_line(record.get("details") or "")
    return Advisory(
        id=record["id"],
        aliases=aliases,
        summary=_short(str(summary)),
        severity=grade(record),
        affected=affected,
    )


def grade(record: Mapping[str, Any]) -> str | None:
    """The highest grade the record gives: CVSS v3 vectors first, then `database_specific.severity`."""
    grades: list[str] = []
    for item in record.get("severity") or ():
        if isinstance(item, Mapping) and str(item.get("type", "")).startswith("CVSS_V3"):
            score = base_score_v3(str(item.get("score", "")))
            graded = rating(score) if score is not None else None
            if graded:
                grades.append(graded)
    if not grades:
        specific = record.get("database_specific")
        text = specific.get("severity") if isinstance(specific, Mapping) else None
        if isinstance(text, str) and text.lower() in _TEXT_SEVERITY:
            grades.append(_TEXT_SEVERITY[text.lower()])
    order = ("low", "medium", "high", "critical")
    return max(grades, key=order.index) if grades else None


def _affected(raw: Any) -> Affected | None:
    if not isinstance(raw, Mapping):
        raise RecordError("`affected` entry is not an object")
    package = raw.get("package") or {}
    ecosystem = ECOSYSTEMS.get(str(package.get("ecosystem", "")).split(":")[0].lower())
    name = package.get("name")
    if ecosystem is None or not isinstance(name, str):
        return None
    ranges = tuple(_range(rng) for rng in raw.get("ranges") or () if isinstance(rng, Mapping))
    # Canonical spellings, so a lookup is a string comparison, not a parse of every listed version.
    versions = tuple(dict.fromkeys(canonical(str(v), ecosystem) for v in raw.get("versions") or ()))
    return Affected(ecosystem=ecosystem, name=name, ranges=ranges, versions=versions)


def _range(raw: Mapping[str, Any]) -> Range:
    events = []
    for event in raw.get("events") or ():
        if isinstance(event, Mapping):
            for kind in _EVENT_KINDS:
                if kind in event:
                    events.append(Event(kind, str(event[kind])))
    return Range(kind=str(raw.get("type", "")), events=tuple(events))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
