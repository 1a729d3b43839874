"""The organizational domain (RFC 7489 3.2): the public suffix plus one label.

The Public Suffix List comes from, in order: the system's copy (Debian's `publicsuffix` package at
/usr/share/publicsuffix), the copy bundled with the `publicsuffixlist` Python package when it is
installed (checkdmarc depends on it), else a small built-in list of common multi-label suffixes
(co.uk, com.au, github.io, ...) with the PSL default rule "*" for the rest: right for the usual
cases, wrong for rarer registries. `psl_source()` says which one is in use; the DMARC check reports it.
Rules written in Unicode (公司.cn) are compared in their A-label form, as the gate's domains are.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

PSL_PATHS = (Path("/usr/share/publicsuffix/public_suffix_list.dat"),
             Path("/usr/share/publicsuffix/effective_tld_names.dat"))
BUILTIN_SOURCE = "built-in list of common suffixes (no Public Suffix List found)"
_BUILTIN = (
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp",
    "com.br", "com.cn", "com.mx", "co.in", "co.za", "com.tr", "com.sg", "github.io", "herokuapp.com",
    "vercel.app", "netlify.app", "pages.dev", "workers.dev", "fly.dev", "onrender.com",
)


def PACKAGE_PSL() -> Path | None:  # noqa: N802 - a module-level hook tests replace
    """The list bundled with the `publicsuffixlist` package, found without importing it."""
    spec = importlib.util.find_spec("publicsuffixlist")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "public_suffix_list.dat"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str], str]:
    """(exact rules, wildcard parents, exceptions, where they came from)."""
    lines, source = list(_BUILTIN), BUILTIN_SOURCE
    package = PACKAGE_PSL()
    for path, label in [*((p, str(p)) for p in PSL_PATHS), *([(package, f"publicsuffixlist ({package})")]
                                                             if package else [])]:
        try:
            lines, source = path.read_text(encoding="utf-8").splitlines(), label
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
            exceptions.add(_a_label(rule[1:]))
        elif rule.startswith("*."):
            wildcard.add(_a_label(rule[2:]))
        else:
            exact.add(_a_label(rule))
    exact.discard("")
    return frozenset(exact), frozenset(wildcard), frozenset(exceptions), source


def _a_label(rule: str) -> str:
    if rule.isascii():
        return rule
    from gates.email.idn import a_label

    try:
        return ".".join(label if label.isascii() else a_label(label) for label in rule.split("."))
    except UnicodeError:
        return ""  # a rule Python's IDNA codec cannot encode cannot match an A-label domain either


def psl_source() -> str:
    return _rules()[3]


def public_suffix(domain: str) -> str:
    labels = domain.rstrip(".").lower().split(".")
    exact, wildcard, exceptions, _ = _rules()
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
