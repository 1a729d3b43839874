"""Turn one OSV record (already decoded from JSON or YAML) into an `Advisory`.

Only what the gate needs is kept: id, aliases, summary, a severity grade, and the affected entries
of the ecosystems we audit. A record that is not an OSV object raises `RecordError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gates.deps.model import NPM, PYPI, Advisory, Affected, Event, Range
from gates.deps.osv.cvss import base_score_v2, base_score_v3, rating, rating_v2
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
    affected = tuple(entry for raw in _list(record.get("affected")) if (entry := _affected(raw)) is not None)
    # `aliases` name the same bug; `related` and `upstream` name other bugs and are never merged.
    raw_aliases = record.get("aliases")
    listed = [raw_aliases] if isinstance(raw_aliases, str) else _list(raw_aliases)  # one id, not its characters
    aliases = tuple(a for a in listed if isinstance(a, str) and a != record["id"])
    summary = record.get("summary") or _first_line(str(record.get("details") or ""))
    return Advisory(
        id=record["id"],
        aliases=aliases,
        summary=_short(str(summary)),
        severity=grade(record),
        affected=affected,
    )


def _severity_items(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """`severity[]` of the record and of each `affected[]` entry (schema 1.5 allows both)."""
    items = [item for item in _list(record.get("severity")) if isinstance(item, Mapping)]
    for entry in _list(record.get("affected")):
        if isinstance(entry, Mapping):
            items += [item for item in _list(entry.get("severity")) if isinstance(item, Mapping)]
    return items


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def grade(record: Mapping[str, Any]) -> str | None:
    """The highest grade the record gives: CVSS v3 vectors, else v2, else `database_specific.severity`.

    CVSS v4 vectors and unknown types (e.g. "Ubuntu") are not scored; an advisory left with no grade
    is unknown, which blocks.
    """
    grades: list[str] = []
    by_version: dict[str, list[str]] = {"CVSS_V3": [], "CVSS_V2": []}
    for item in _severity_items(record):
        kind, vector = str(item.get("type", "")), str(item.get("score", ""))
        if kind.startswith("CVSS_V3"):
            score = base_score_v3(vector)
            graded = rating(score) if score is not None else None
        elif kind == "CVSS_V2":
            score = base_score_v2(vector)
            graded = rating_v2(score) if score is not None else None
        else:
            continue
        if graded:
            by_version["CVSS_V3" if kind.startswith("CVSS_V3") else "CVSS_V2"].append(graded)
    grades = by_version["CVSS_V3"] or by_version["CVSS_V2"]
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
    package = raw.get("package")
    if not isinstance(package, Mapping):
        return None  # schema 1.x allows an entry with no package (GIT ranges of a repository only)
    # "PyPI", "npm"; ecosystems with a suffix ("Debian:12") are other ecosystems and do not match.
    ecosystem = ECOSYSTEMS.get(str(package.get("ecosystem", "")).split(":")[0].lower())
    name = package.get("name")
    if ecosystem is None or not isinstance(name, str):
        return None
    ranges = tuple(_range(rng) for rng in _list(raw.get("ranges")) if isinstance(rng, Mapping))
    # Canonical spellings, so a lookup is a string comparison, not a parse of every listed version.
    versions = tuple(dict.fromkeys(canonical(str(v), ecosystem) for v in _list(raw.get("versions"))))
    return Affected(ecosystem=ecosystem, name=name, ranges=ranges, versions=versions)


def _range(raw: Mapping[str, Any]) -> Range:
    events = []
    for event in _list(raw.get("events")):
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
