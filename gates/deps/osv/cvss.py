"""CVSS base scores from vector strings: v3.x (FIRST specification, section 7) and v2 (section 3.2.1).

CVSS v4 is not scored here (its score comes from a lookup over macro vectors, not a formula): a
record graded only by a v4 vector falls back to `database_specific.severity`, else it is unknown.
"""

from __future__ import annotations

import math

_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PRIVILEGES = {"N": (0.85, 0.85), "L": (0.62, 0.68), "H": (0.27, 0.5)}  # (scope unchanged, changed)


def _roundup(value: float) -> float:
    as_int = round(value * 100000)
    if as_int % 10000 == 0:
        return as_int / 100000.0
    return (math.floor(as_int / 10000) + 1) / 10.0


def base_score_v3(vector: str) -> float | None:
    """The base score, or None when the vector is not a complete CVSS:3.x base vector."""
    parts = vector.strip().split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        return None
    metrics = dict(part.split(":", 1) for part in parts[1:] if ":" in part)
    try:
        changed = metrics["S"] == "C"
        iss = 1 - (1 - _WEIGHTS["C"][metrics["C"]]) * (1 - _WEIGHTS["I"][metrics["I"]]) * (
            1 - _WEIGHTS["A"][metrics["A"]]
        )
        privileges = _PRIVILEGES[metrics["PR"]][1 if changed else 0]
        exploitability = (
            8.22 * _WEIGHTS["AV"][metrics["AV"]] * _WEIGHTS["AC"][metrics["AC"]] * privileges
            * _WEIGHTS["UI"][metrics["UI"]]
        )
    except KeyError:
        return None
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    if changed:
        return _roundup(min(1.08 * (impact + exploitability), 10))
    return _roundup(min(impact + exploitability, 10))


_V2_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"L": 0.395, "A": 0.646, "N": 1.0},
    "AC": {"H": 0.35, "M": 0.61, "L": 0.71},
    "Au": {"M": 0.45, "S": 0.56, "N": 0.704},
    "C": {"N": 0.0, "P": 0.275, "C": 0.660},
    "I": {"N": 0.0, "P": 0.275, "C": 0.660},
    "A": {"N": 0.0, "P": 0.275, "C": 0.660},
}


def base_score_v2(vector: str) -> float | None:
    """The v2 base score, or None when the vector is not a complete v2 base vector."""
    text = vector.strip()
    if text.startswith("("):
        text = text.strip("()")
    parts = [part for part in text.split("/") if not part.startswith("CVSS:")]
    metrics = dict(part.split(":", 1) for part in parts if ":" in part)
    try:
        w = {key: _V2_WEIGHTS[key][metrics[key]] for key in _V2_WEIGHTS}
    except KeyError:
        return None
    impact = 10.41 * (1 - (1 - w["C"]) * (1 - w["I"]) * (1 - w["A"]))
    exploitability = 20 * w["AV"] * w["AC"] * w["Au"]
    score = (0.6 * impact + 0.4 * exploitability - 1.5) * (0 if impact == 0 else 1.176)
    return round(max(score, 0.0) + 1e-9, 1)


def rating_v2(score: float) -> str | None:
    """NVD's v2 ratings: v2 has no "critical" (7.0 to 10.0 is high)."""
    if score >= 7.0:
        return "high"
    return rating(score)


def rating(score: float) -> str | None:
    """Qualitative rating; None for 0.0 (CVSS "none" is not a severity we can threshold on)."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return None
