"""Find a canary in an answer, verbatim or lightly disguised: spaced, dotted or dashed out (across lines
too), in any case, in full-width or other compatibility letters, in leetspeak, reversed, ROT13, base64, hex,
percent-encoded (a URL's query) or as HTML character references.
A model asked to "spell it letter by letter" or "write it backwards" still leaks it.

Spans are (start, end) in the original answer so the caller can mask exactly what leaked.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from urllib.parse import unquote_plus

MIN_CANARY = 6
# Characters a model puts between the letters of a spelled-out secret.
_SEPARATORS = re.compile(r"[\s\-_.,:;|/\\*`'\"·+\u200b-\u200d\u2060\ufeff]+")  # zero-width ones too
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_\-]{8,}={0,2}")
_HEX_TOKEN = re.compile(r"\b(?:[0-9a-fA-F]{2}){6,}\b")
_ESCAPED_TOKEN = re.compile(r"[^\s<>()\[\]\"']*(?:%[0-9A-Fa-f]{2}|&#?[0-9A-Za-z]+;)[^\s<>()\[\]\"']*")
_LEET = str.maketrans("013457@$", "oleastas")


def squeeze(text: str) -> tuple[str, list[int]]:
    """The text without separators, case-folded, and the original index of each remaining character."""
    chars: list[str] = []
    index: list[int] = []
    cursor = 0
    for match in _SEPARATORS.finditer(text):
        _keep(text, cursor, match.start(), chars, index)
        cursor = match.end()
    _keep(text, cursor, len(text), chars, index)
    return "".join(chars), index


def _keep(text: str, start: int, end: int, chars: list[str], index: list[int]) -> None:
    for position in range(start, end):
        char = text[position]
        # Full-width and other compatibility forms (ＣＡＮＡＲＹ) read as the plain letters they show.
        folded = (unicodedata.normalize("NFKC", char) if ord(char) > 127 else char).casefold()
        for piece in folded:
            if not _SEPARATORS.fullmatch(piece):
                chars.append(piece)
                index.append(position)


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
    leet = squeezed.translate(_LEET)
    for haystack, form, how in ((squeezed, core, "with separators"), (squeezed, core[::-1], "reversed"),
                                (squeezed, codecs.encode(core, "rot13"), "rot13"),
                                (leet, core.translate(_LEET), "leetspeak")):
        start = haystack.find(form)
        while start >= 0:
            span = (index[start], index[start + len(form) - 1] + 1)
            if not any(_overlaps(span, (s, e)) for s, e, _ in hits):
                hits.append((*span, how))
            start = haystack.find(form, start + 1)
    for match in _ESCAPED_TOKEN.finditer(text):
        decoded = unquote_plus(html.unescape(match.group()))
        inner = [decoded, *(_decode_base64(t.group()) for t in _BASE64_TOKEN.finditer(decoded))]
        if any(core in squeeze(piece)[0] for piece in inner) and not _covered(match.span(), hits):
            hits.append((*match.span(), "percent- or entity-encoded"))
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
