"""The organizational domain (RFC 7489 3.2): the public suffix plus one label.

Reads the Public Suffix List the system ships (Debian's `publicsuffix` package); without one, a
small built-in list of common multi-label suffixes is used, which is right for the usual cases.
"""

from __future__ import annotations

import functools
from pathlib import Path

PSL_PATHS = (Path("/usr/share/publicsuffix/public_suffix_list.dat"),
             Path("/usr/share/publicsuffix/effective_tld_names.dat"))
_BUILTIN = (
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp",
    "com.br", "com.cn", "com.mx", "co.in", "co.za", "com.tr", "com.sg", "github.io", "herokuapp.com",
    "vercel.app", "netlify.app", "pages.dev", "workers.dev", "fly.dev", "onrender.com",
)


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(exact rules, wildcard parents, exceptions)."""
    lines: list[str] = list(_BUILTIN)
    for path in PSL_PATHS:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            break
        except OSError:
            continue
    exact: set[str] = set()
    wildcard: set[str] = set()
    exceptions: set[str] = set()
    for line in lines:
        rule = line.strip().split(" ")[0].lower()
        if not rule or rule.startswith("//"):
            continue
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wildcard.add(rule[2:])
        else:
            exact.add(rule)
    return frozenset(exact), frozenset(wildcard), frozenset(exceptions)


def public_suffix(domain: str) -> str:
    labels = domain.rstrip(".").lower().split(".")
    exact, wildcard, exceptions = _rules()
    for index in range(len(labels)):
        candidate = ".".join(labels[index:])
        if candidate in exceptions:
            return ".".join(labels[index + 1:])
        if candidate in exact:
            return candidate
        parent = ".".join(labels[index + 1:])
        if index + 1 < len(labels) and parent in wildcard:
            return candidate
    return labels[-1]  # the default rule "*": the last label is a suffix


def organizational_domain(domain: str) -> str:
    name = domain.rstrip(".").lower()
    suffix = public_suffix(name)
    if name == suffix:
        return name
    labels = name[: -len(suffix) - 1].split(".")
    return f"{labels[-1]}.{suffix}"
