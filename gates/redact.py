"""The one redaction function every reporter applies to every string it writes.

A secret is shown as its first characters, its length and a short hash (`AKIA…(20, #3f9c)`):
enough to tell two findings apart and to find the key in a provider's console, never enough to
use it. Two sources of secrets: values the gate knows are secret (found keys, passwords read from
the environment), and anything the shared credential patterns recognise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from gates.common.credentials import find_spans

# A known secret shorter than this is not masked wherever it appears: a 4-letter value such as
# "test" would otherwise mask every path and word that contains it.
MIN_KNOWN_SECRET = 6


def mask(secret: str) -> str:
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:4]
    # Short secrets (passwords) keep fewer visible characters: 4 of 8 would be half of it.
    visible = min(4, len(secret) // 4)
    return f"{secret[:visible]}…({len(secret)}, #{digest})"


def redact(text: str, known: Iterable[str] = ()) -> str:
    if not text:
        return text
    for secret in sorted({s for s in known if len(s) >= MIN_KNOWN_SECRET}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    spans = find_spans(text)
    if not spans:
        return text
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        secret = text[start:end]
        pieces.append(secret if _already_masked(text, end) else mask(secret))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _already_masked(text: str, end: int) -> bool:
    return text.startswith("…(", end)


class Redactor:
    """`redact` bound to one set of known secrets, handed to reporters."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = frozenset(known)

    def __call__(self, text: str | None) -> str:
        return redact(text or "", self.known)
