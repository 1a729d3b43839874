"""Find a canary in an answer, verbatim or lightly disguised: spaced or dashed out, reversed, ROT13,
base64 or hex. A model asked to "spell it letter by letter" or "write it backwards" still leaks it.

Spans are (start, end) in the original answer so the caller can mask exactly what leaked.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

MIN_CANARY = 6
# Characters a model puts between the letters of a spelled-out secret.
_SEPARATORS = re.compile(r"[\s\-_.,:;|/\\*`'\"·+\u200b-\u200d\u2060\ufeff]+")  # zero-width ones too
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_\-]{8,}={0,2}")
_HEX_TOKEN = re.compile(r"\b(?:[0-9a-fA-F]{2}){6,}\b")


def squeeze(text: str) -> tuple[str, list[int]]:
    """The text without separators, case-folded, and the original index of each remaining character."""
    chars: list[str] = []
    index: list[int] = []
    cursor = 0
    for match in _SEPARATORS.finditer(text):
        for position in range(cursor, match.start()):
            chars.append(text[position].casefold())
            index.append(position)
        cursor = match.end()
    for position in range(cursor, len(text)):
        chars.append(text[position].casefold())
        index.append(position)
    return "".join(chars), index


def find(text: str, canary: str) -> list[tuple[int, int, str]]:
    """(start, end, how) for every place `canary` shows in `text`."""
    hits: list[tuple[int, int, str]] = []
    lowered, needle = text.casefold(), canary.casefold()
    start = lowered.find(needle)
    while start >= 0:
        hits.append((start, start + len(canary), "verbatim"))
        start = lowered.find(needle, start + 1)
    squeezed, index = squeeze(text)
    core = squeeze(canary)[0]
    if len(core) < MIN_CANARY:
        return hits
    for form, how in ((core, "with separators"), (core[::-1], "reversed"),
                      (codecs.encode(core, "rot13"), "rot13")):
        start = squeezed.find(form)
        while start >= 0:
            span = (index[start], index[start + len(form) - 1] + 1)
            if not any(_overlaps(span, (s, e)) for s, e, _ in hits):
                hits.append((*span, how))
            start = squeezed.find(form, start + 1)
    for match in _BASE64_TOKEN.finditer(text):
        if core in squeeze(_decode_base64(match.group()))[0] and not _covered(match.span(), hits):
            hits.append((*match.span(), "base64"))
    for match in _HEX_TOKEN.finditer(text):
        if core in squeeze(_decode_hex(match.group()))[0] and not _covered(match.span(), hits):
            hits.append((*match.span(), "hex"))
    return sorted(hits)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _covered(span: tuple[int, int], hits: list[tuple[int, int, str]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end, _ in hits)


def _decode_base64(token: str) -> str:
    padded = token + "=" * (-len(token) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(padded).decode("utf-8", "ignore")
        except (binascii.Error, ValueError):
            continue
    return ""


def _decode_hex(token: str) -> str:
    try:
        return bytes.fromhex(token).decode("utf-8", "ignore")
    except ValueError:
        return ""
