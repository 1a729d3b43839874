"""What a `password = "…"` style finding is worth: a secret, a weak value worth a warning, or not one at all.

detect-secrets' keyword plugin reports any quoted value next to a word like `secret` or `password`,
which on real code is mostly prose ("Secrets in git history, …"), placeholders (`changeme`,
`<your-key>`, `your_api_key_here`), references to where the real value lives (`${DB_PASSWORD}`,
`process.env.API_KEY`) and throwaway test values (`"pw"`). Reporting those makes teams switch the
gate off, so — as gitleaks' generic rule does with its entropy floor and stop words, and
detect-secrets with its heuristic filters — a keyword value is:

- dropped when it holds whitespace, is empty, a placeholder or a reference, or is an
  environment-variable *name* (`DB_PASSWORD`), or a plain word in a documentation file;
- a warning when it is short, low in entropy or a one-case word (`hunter2`, `swordfish`): too weak to be a
  provider key, still worth a look (`--strict` blocks on it);
- an error otherwise.

Only keyword findings go through this: provider keys (`sk_live_…`, `ghp_…`) are recognised by their
shape and never downgraded here.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter

WEAK_LENGTH = 8  # shorter keyword values are warnings
WEAK_ENTROPY = 3.0  # bits per character; gitleaks' generic rule uses 3.5 as its floor
DOC_EXTENSIONS = (".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".html", ".htm")

_REFERENCE = re.compile(
    r"""(?ix)^(?:
        \$\{[^}]*\}? | \$\([^)]*\)? | \$[A-Za-z_]\w* |      # ${VAR}, $(cmd), $VAR
        \{\{.*\}\}? | \{%.*%\} | \{[\w.\[\]'"-]*\} |      # {{ var }}, {% tag %}, {name}
        <[^<>]*> | \[[^\[\]]*\] |                          # <your-key>, [secret]
        %\(\w*\)[sdr] | %[sdr] | @\w+@ | __\w+__ |          # %(var)s, %s, @VAR@, __VAR__
        \#\{[^}]*\}                                         # Ruby #{var}
    )$""")
# Where a value is read from rather than the value itself.
_CODE_REFERENCE = re.compile(
    r"(?i)^(?:os\.(?:environ|getenv)|process\.env|import\.meta\.env|deno\.env|env\(|getenv\(|env\[|"
    r"system\.getenv|settings\.|config\.|self\.|this\.|var\.|local\.|secrets\.|vault:|ssm:|"
    r"arn:aws:secretsmanager|projects/[^/]+/secrets/)")
_PLACEHOLDER_WORDS = frozenset("""
    changeme changethis change_me change-me replaceme replace_me replace-me placeholder example sample dummy fake
    redacted removed hidden masked secret secrets password passwords passwd pass pwd token apikey api_key api-key
    key test testing none null nil undefined true false todo tbd fixme string str value default foo bar baz
    notasecret not-a-secret not_a_secret nosecret empty blank required optional user username
""".split())
_PLACEHOLDER_PARTS = re.compile(
    r"(?i)x{4,}|\*{3,}|\.{3,}|#{4,}|0{6,}|changeme|change[_-]?this|replace[_-]?me|placeholder|"
    r"^(?:your|my|insert|enter|put|add|replace)[\W_]*(?:own[\W_]*|real[\W_]*|actual[\W_]*)?"
    r"(?:[a-z]+[\W_]*)?(?:key|secret|token|password|pass|pwd|id)|[_-]here$|^example[\W_]|[\W_]example$")
# An environment variable's name (`DB_PASSWORD`, `STRIPE_SECRET_KEY`): the value is elsewhere.
_IDENTIFIER = re.compile(r"^[a-z]+(?:[_.-][a-z]+)*$")
_SECRET_WORD = re.compile(r"(?i)key|secret|token|passw|pwd|auth|credential")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{2,}$")


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


def is_placeholder(value: str) -> bool:
    """A value that stands for a secret instead of being one (also used for database URL passwords)."""
    text = value.strip().strip("'\"`")
    if not text or len(set(text)) <= 2:
        return True
    if text.lower() in _PLACEHOLDER_WORDS or _REFERENCE.match(text) or _CODE_REFERENCE.match(text):
        return True
    return bool(_PLACEHOLDER_PARTS.search(text))


def keyword_verdict(value: str, path: str) -> str | None:
    """"error", "warning", or None (not a secret) for a keyword finding's value in `path`."""
    text = value.strip().strip("'\"`")
    if not text or any(ch.isspace() for ch in text) or is_placeholder(text) or _ENV_NAME.match(text):
        return None
    if _IDENTIFIER.match(text) and _SECRET_WORD.search(text):
        return None  # a name such as "keyfile_password" or "secret_key": where a secret goes, not one
    # one-case letters only ("swordfish", "benchmark", "dev_server"): words, not a generated secret
    word = bool(_IDENTIFIER.match(text)) or (text.isalpha() and text.isupper())
    weak = word or len(text) < WEAK_LENGTH or shannon_entropy(text) < WEAK_ENTROPY
    if os.path.splitext(path.lower())[1] in DOC_EXTENSIONS and (text.isalpha() or weak):
        return None  # prose and shell snippets in docs: a word or a short made-up value
    return "warning" if weak else "error"


MIN_HEX_DIGITS = 16  # 64 bits: shorter hex strings are short commit ids, colours, checksums' prefixes


def is_patterned(value: str) -> bool:
    """A value made of one short unit repeated (`0123456789abcdef0123…`, `abcabcabc…`): a fixture, not a key."""
    size = len(value)
    for period in range(1, min(16, size // 2) + 1):
        if value == (value[:period] * (size // period + 1))[:size]:
            return True
    return False


# Lines where a long hex/base64 value is a digest, not a key (HTTP digest auth, etags, checksums, ids).
_DIGEST_CONTEXT = re.compile(
    r"(?i)etag|md5|sha-?(?:1|2|256|384|512)?\b|hash|digest|checksum|nonce|opaque|integrity|fingerprint|"
    r"commit|revision|boundary")
_ALPHABETS = ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789")
# base64 of file signatures: embedded images, fonts, archives (notebook outputs, CSS data URIs), not keys
_FILE_MAGIC = ("iVBORw0KGgo", "/9j/", "R0lGOD", "JVBERi0", "d09GR", "d09GMg", "UEsDB", "H4sI", "AAABAA", "PHN2Zy",
               "PD94bWwg", "UklGR", "AAAAIGZ0eXA", "T2dnUw", "SUQz")
RESERVED_HOST = re.compile(r"(?i)(?:^|\.)example(?:\.(?:com|org|net))?$|\.(?:test|example|invalid)$")


def entropy_verdict(value: str, line: str) -> str | None:
    """For detect-secrets' entropy plugins, which see any random-looking quoted string.

    An alphabet (`abcdefghij…`) is a constant; on a line about digests (etag, md5, nonce, checksum…)
    the value is one; base64 that starts with a file signature (PNG, JPEG, fonts, zip…) is an embedded file.
    A value on a line that names no secret at all is most often data or an id:
    a warning, still shown (`--strict` blocks), so a key with a meaningless name is not lost.
    """
    if any(run[i:i + 10] in value for run in _ALPHABETS for i in range(len(run) - 9)):
        return None
    if _DIGEST_CONTEXT.search(line) or value.startswith(_FILE_MAGIC) or ";base64," in line:
        return None
    return "error" if _SECRET_WORD.search(line) else "warning"
