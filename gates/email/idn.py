"""Domain names in their A-label (ASCII) form, as DNS and the Public Suffix List compare them."""

from __future__ import annotations


def a_label(name: str) -> str:
    """bücher.example -> xn--bcher-kva.example; straße.example -> xn--strae-oqa.example (IDNA 2008).

    Uses the `idna` package (UTS #46 mapping, IDNA 2008; httpx depends on it) and falls back to Python's
    IDNA 2003 codec without it. Raises UnicodeError for a name neither can encode.
    """
    if name.isascii():
        return name.lower()
    try:
        import idna
    except ImportError:
        return name.encode("idna").decode("ascii").lower()
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise UnicodeError(str(exc)) from None
