"""DMARC record syntax (RFC 7489 6.3, with the DMARCbis tags np, t and psd)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gates.email.tags import has_version, parse_tags

POLICIES = ("none", "quarantine", "reject")
KNOWN_TAGS = ("v", "p", "sp", "np", "pct", "adkim", "aspf", "fo", "rf", "ri", "rua", "ruf", "t", "psd")
_ADDRESS = re.compile(r"[^@\s]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\Z")


@dataclass(frozen=True)
class ReportURI:
    text: str
    address: str = ""  # the mailbox, for mailto: URIs
    domain: str = ""  # the mailbox's domain


@dataclass
class DmarcRecord:
    text: str
    tags: dict[str, str]
    problems: list[str] = field(default_factory=list)  # each one makes the record invalid
    unknown: list[str] = field(default_factory=list)
    # rua/ruf entries receivers skip (not mailto:, malformed): reports lost, the record still applies
    # (RFC 7489 6.3 and 6.6.3: only v= and p= make a record unusable).
    uri_problems: list[str] = field(default_factory=list)
    rua: list[ReportURI] = field(default_factory=list)
    ruf: list[ReportURI] = field(default_factory=list)

    @property
    def policy(self) -> str | None:
        value = self.tags.get("p", "").lower()
        return value if value in POLICIES else None

    def subdomain_policy(self) -> str | None:
        value = self.tags.get("sp", "").lower()
        return value if value in POLICIES else self.policy

    @property
    def pct(self) -> int:
        value = self.tags.get("pct", "100")
        return int(value) if value.isdigit() and int(value) <= 100 else 100

    @property
    def testing(self) -> bool:
        return self.tags.get("t", "n").lower() == "y"


def is_dmarc(text: str) -> bool:
    return has_version(text, "DMARC1")


def parse_dmarc(text: str) -> DmarcRecord:
    raw, problems = parse_tags(text)
    tags: dict[str, str] = {}
    for name, value in raw.items():
        lowered = name.lower()
        if lowered in tags:
            problems.append(f"tag {lowered}= appears more than once")
        tags[lowered] = value
    record = DmarcRecord(text, tags, problems)
    if not raw or next(iter(raw)) != "v" or raw["v"].upper() != "DMARC1":
        problems.append("the record must start with v=DMARC1")
    if "p" not in tags:
        problems.append("the required p= tag is missing")
    for name in ("p", "sp", "np"):
        if name in tags and tags[name].lower() not in POLICIES:
            problems.append(f"{name}={tags[name]} is not none, quarantine or reject")
    for name in ("adkim", "aspf"):
        if name in tags and tags[name].lower() not in ("r", "s"):
            problems.append(f"{name}={tags[name]} is not r (relaxed) or s (strict)")
    if "pct" in tags and not (tags["pct"].isdigit() and int(tags["pct"]) <= 100):
        problems.append(f"pct={tags['pct']} is not a whole number from 0 to 100")
    if "ri" in tags and not tags["ri"].isdigit():
        problems.append(f"ri={tags['ri']} is not a number of seconds")
    if "fo" in tags and not all(part.strip() in ("0", "1", "d", "s") for part in tags["fo"].split(":")):
        problems.append(f"fo={tags['fo']} is not a colon-separated list of 0, 1, d, s")
    if "t" in tags and tags["t"].lower() not in ("y", "n"):
        problems.append(f"t={tags['t']} is not y or n")
    if "psd" in tags and tags["psd"].lower() not in ("y", "n", "u"):
        problems.append(f"psd={tags['psd']} is not y, n or u")
    for name in ("rua", "ruf"):
        if name in tags:
            uris, bad = _uris(tags[name])
            setattr(record, name, uris)
            record.uri_problems.extend(f"{name}: {b}" for b in bad)
    record.unknown = [name for name in tags if name not in KNOWN_TAGS]
    return record


def _uris(value: str) -> tuple[list[ReportURI], list[str]]:
    uris: list[ReportURI] = []
    problems: list[str] = []
    for part in value.split(","):
        text = part.strip()
        if not text:
            problems.append("empty URI in the list")
            continue
        target = re.sub(r"!\d+[kmgt]?\Z", "", text, flags=re.IGNORECASE)  # optional size limit
        if not target.lower().startswith("mailto:"):
            problems.append(f"{text!r} is not a mailto: URI (reports are only sent by mail)")
            continue
        address = target[len("mailto:"):]
        match = _ADDRESS.match(address)
        if match is None:
            problems.append(f"{text!r} is not a valid mailto:address")
            continue
        uris.append(ReportURI(text, address, match.group(1).lower()))
    return uris, problems
