"""The tag=value; list that DKIM keys (RFC 6376 3.2), DMARC, MTA-STS and TLS-RPT records share."""

from __future__ import annotations

import re

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def parse_tags(record: str) -> tuple[dict[str, str], list[str]]:
    """Tags in order of appearance (names as written, values stripped) and the problems found."""
    tags: dict[str, str] = {}
    problems: list[str] = []
    for part in record.split(";"):
        text = part.strip()
        if not text:
            continue  # a trailing ';' is allowed
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep:
            problems.append(f"{text!r} is not tag=value")
            continue
        if not _TAG_NAME.match(name):
            problems.append(f"{name!r} is not a valid tag name")
            continue
        if name in tags:
            problems.append(f"tag {name}= appears more than once")
            continue
        tags[name] = value.strip()
    return tags, problems


def has_version(record: str, version: str) -> bool:
    """The record's first tag is v=<version> exactly: v=DMARC10 or v=STSv1x are other (unknown) records."""
    match = _VERSION.match(record)
    return match is not None and match.group(1).lower() == version.lower()


# The value ends at ';', whitespace or the end: "v=DMARC1 p=reject" (a missing ';') is still a DMARC
# record to judge, with a syntax error.
_VERSION = re.compile(r"\s*v\s*=\s*([^;\s]+)(?=[;\s]|\Z)", re.IGNORECASE)
