"""Which lines can hold a secret at all: necessary conditions, searched on raw bytes of many lines at once.

A line matching none of these cannot produce a finding, so only lines around these positions reach
detect-secrets (about 0.3 ms a line in Python) and our rules. Each condition is derived from a
detector's own pattern:

- a known key prefix inside a run of token characters (GitHub, GitLab, Stripe, OpenAI, AWS key ids…);
- literal anchors: JWT `eyJ`, Slack `xox?-` and webhooks, `PRIVATE KEY` (and base64 `-----BEGIN`), PuTTY,
  Azure `AccountKey=`,
  a URL with `user:password@`, Artifactory `AKC`/`AP?`, Discord's `.xxxxxx.` middle part, Telegram's
  `:` + 35 characters, Mailchimp `-us<n>`, Twilio `AC`/`SK` + 32, Mailgun's `-hex8-hex8`;
- detect-secrets' keyword list (KeywordDetector), and `vercel`/`postmark` for our context rules;
- for detectors that need a word next to a long value (IBM, SoftLayer, Cloudant, AWS secret keys,
  npm `_authToken`): a run of >= 20 token characters holding a digit (or 24 lowercase letters) on a
  line that also says key, pw, pass, token, secret or aws;
- the entropy plugins: a quoted run of base64 characters whose entropy is above 4.5 bits, or of hex
  digits above 3 bits (measured here, as the plugins do). The public-IP plugin needs nothing:
  detect-secrets' own filter drops every value without a letter, so it never reports an IPv4 address.

Each pattern starts with a literal where it can, which `re` finds at memchr speed; one alternation of
them all is several times slower.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

# detect-secrets' KeywordDetector DENYLIST, copied so the prefilter does not import detect-secrets
# (150 ms) for a scan that has no candidate at all; a test fails if the two drift apart.
KEYWORDS = (
    "api_?key", "auth_?key", "service_?key", "account_?key", "db_?key", "database_?key", "priv_?key",
    "private_?key", "client_?key", "db_?pass", "database_?pass", "key_?pass", "password", "passwd", "pwd",
    "secret", "contraseña", "contrasena",
)
_KEYWORDS = re.compile(("|".join(KEYWORDS) + "|vercel|postmark").encode("utf-8"))
# Every keyword above, and every word the context-bound detectors need, holds one of these.
_CONTEXT = (b"key", b"pw", b"pass", b"token", b"secret", b"aws", b"contrase", b"vercel", b"postmark")
_TOKEN = rb"[A-Za-z0-9+/=_\-\\]"
_RUN = re.compile(_TOKEN + rb"{20,}")
_DIGITS = b"0123456789"
_LETTERS24 = re.compile(rb"[a-z]{24}")
# Each pattern starts with a literal, which `re` finds with a fast substring search; one alternation
# of them all is several times slower.
_ANCHORS = tuple(re.compile(p) for p in (
    # key prefixes, with enough of the key after them not to fire on words
    rb"gh[pousr]_[A-Za-z0-9_]{20}", rb"github_pat_", rb"gl(?:pat|dt|rt|ptt|soat|oas|cbt|imt|agent|ft)-",
    rb"GR1348941", rb"sk-[A-Za-z0-9_\-]{20}", rb"k_(?:live|test)_", rb"AIza", rb"GOCSPX-", rb"hf_[A-Za-z0-9]{30}",
    rb"npm_[A-Za-z0-9]{36}", rb"pypi-", rb"re_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16}", rb"key-[0-9a-f]{32}",
    rb"SG\.", rb"sq0csp-",
    rb"A(?:3T|KIA|SIA|BIA|CCA)[A-Z0-9]{16}", rb"T3BlbkFJ", rb"AccountKey",
    # other detectors' literal parts
    rb"token=",  # a token in a URL query string
    rb"eyJ", rb"xox[abposr]-", rb"PRIVATE KEY", rb"LS0tLS1CRUdJTi", rb"PuTTY-User-Key", rb"hooks\.slack\.com",
    rb"://[^\s/@]{0,256}:[^\s/@]{0,256}@",
    rb"AKC[a-zA-Z0-9]{10}", rb"AP[\dA-F][a-zA-Z0-9]{8}",
    rb"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}",  # Discord
    rb":[0-9A-Za-z_-]{35}",  # Telegram
    rb"-us[0-9]",  # Mailchimp
    rb"AC[a-z0-9]{32}", rb"SK[a-z0-9]{32}",  # Twilio
    rb"-[0-9a-f]{8}-[0-9a-f]{8}",  # Mailgun
))
# The base64 entropy plugin reports a quoted run of its characters whose Shannon entropy is above
# 4.5 bits (23 symbols at least). Quoted runs are common (1,700 on the benchmark, most of them prose
# or identifiers), so each is measured here: only one the plugin could report makes its line a
# candidate. The lookahead consumes only the quote, so every quote starts a run, as the plugin's
# own regex may pair them.
_QUOTED = tuple(re.compile(quote + b"(?=(" + _TOKEN + b"{23,})" + quote + b")") for quote in (b'"', b"'"))
BASE64_LIMIT = 4.5  # detect-secrets' Base64HighEntropyString default
# The same for the hex plugin (3 bits, so 9 digits at least; its extra penalty for all-digit runs only
# lowers the figure, so the plain entropy above 3 is a necessary condition).
_QUOTED_HEX = tuple(re.compile(quote + b"(?=([0-9a-fA-F]{9,})" + quote + b")") for quote in (b'"', b"'"))
HEX_LIMIT = 3.0
_ENTROPY_SLACK = 1e-6  # float rounding differs from the plugin's summation order: never drop a borderline run


def candidate_positions(data: bytes) -> list[int]:
    """Offsets in `data` (many lines) where something a detector needs appears (unsorted, may repeat)."""
    found = [m.start() for anchor in _ANCHORS for m in anchor.finditer(data)]
    found.extend(m.start() for quoted in _QUOTED for m in quoted.finditer(data)
                 if _entropy(m.group(1)) > BASE64_LIMIT - _ENTROPY_SLACK)
    found.extend(m.start() for quoted in _QUOTED_HEX for m in quoted.finditer(data)
                 if _entropy(m.group(1)) > HEX_LIMIT - _ENTROPY_SLACK)
    lowered = data.lower()
    lines: set[int] = set()
    for word in _CONTEXT:
        at = lowered.find(word)
        while at >= 0:
            start = lowered.rfind(b"\n", 0, at) + 1
            end = _line_end(lowered, at)
            lines.add(start)
            at = lowered.find(word, end)
    for start in lines:
        end = _line_end(lowered, start)
        if _KEYWORDS.search(lowered, start, end):
            found.append(start)
            continue
        for match in _RUN.finditer(data, start, end):
            run = match.group()
            if run.translate(None, _DIGITS) != run or _LETTERS24.search(run):
                found.append(start)
                break
    return found


def _entropy(run: bytes) -> float:
    """Shannon entropy in bits per symbol, as detect-secrets' entropy plugins compute it."""
    size = len(run)
    return -sum(n / size * math.log2(n / size) for n in Counter(run).values())


def _line_end(data: bytes, position: int) -> int:
    end = data.find(b"\n", position)
    return len(data) if end < 0 else end


def fingerprint() -> str:
    """Changes whenever the prefilter does (part of the cache key)."""
    patterns = (_KEYWORDS, _RUN, _LETTERS24, *_ANCHORS, *_QUOTED, *_QUOTED_HEX)
    return "|".join(p.pattern.decode("utf-8", "replace") for p in patterns) + repr((_CONTEXT, BASE64_LIMIT, HEX_LIMIT))


def is_candidate(text: str) -> bool:
    return bool(candidate_positions(text.encode("utf-8", "surrogatepass")))


def candidate_windows(data: bytes, radius: int) -> Iterator[tuple[int, int]]:
    """Merged windows of `radius` bytes around every candidate position in a long line."""
    start = end = -1
    for position in sorted(set(candidate_positions(data))):
        lo, hi = max(0, position - radius), min(len(data), position + radius)
        if lo <= end:
            end = max(end, hi)
            continue
        if end > start:
            yield start, end
        start, end = lo, hi
    if end > start:
        yield start, end
