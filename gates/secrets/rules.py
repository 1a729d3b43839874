"""What a line's secrets are: our provider rules first, then detect-secrets' plugins.

Every hit carries a rule id, a severity and a fix text. Our rules (gates.common.credentials) know
the provider and where to rotate the key; a detect-secrets hit for the same value is dropped so a
key is reported once, under the most precise rule. Documented example keys (AWS's `…EXAMPLE`) and
placeholder passwords never fire.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from dataclasses import dataclass
from urllib.parse import unquote

from gates.common.credentials import JWT_PATTERN, ROTATE_GENERIC, SCAN_PATTERNS, classify_jwt
from gates.report import Severity
from gates.secrets.detectors import DetectSecrets
from gates.secrets.keywords import (
    MIN_HEX_DIGITS,
    RESERVED_HOST,
    entropy_verdict,
    is_patterned,
    is_placeholder,
    keyword_verdict,
)

RULESET_VERSION = "2"  # bump when rules change: the clean-scan cache is keyed by it

ENV_FILE_RULE = "env-file"
ENV_FILE_FIX = ("Remove the file from git (git rm --cached), add it to .gitignore, and rotate every value "
                "it held at its provider; commit a .env.example with placeholders instead.")
HISTORY_NOTE = "rotate it; deleting the file does not remove it from history"

# detect-secrets secret types -> (rule id, severity, fix).
_DS_RULES: dict[str, tuple[str, Severity, str]] = {
    "AWS Access Key": ("aws-access-key", Severity.ERROR,
                       "Rotate it: AWS console > IAM > Users > Security credentials."),
    "Public IP (ipv4)": ("public-ip", Severity.INFO, "Not a secret by itself; check it is meant to be public."),
    "Base64 High Entropy String": ("high-entropy-base64", Severity.ERROR, ROTATE_GENERIC),
    "Hex High Entropy String": ("high-entropy-hex", Severity.ERROR, ROTATE_GENERIC),
    "Secret Keyword": ("secret-keyword", Severity.ERROR, ROTATE_GENERIC),
    "Basic Auth Credentials": ("basic-auth", Severity.ERROR,
                               "Change that account's password at the service the URL points to."),
    "JSON Web Token": ("jwt", Severity.ERROR,
                       "Revoke the token (or rotate the signing secret) at the service that issued it."),
    "SendGrid API Key": ("sendgrid-key", Severity.ERROR, "Rotate it: app.sendgrid.com > Settings > API Keys."),
    "Twilio API Key": ("twilio-key", Severity.ERROR, "Rotate it: console.twilio.com > Account > API keys."),
}

_DS_LOOKALIKE = ("EXAMPLE",)  # documented example keys: AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/…EXAMPLEKEY


@dataclass(frozen=True)
class Hit:
    rule: str
    title: str
    severity: Severity
    secret: str
    fix: str
    kind: str  # the `type` written to a detect-secrets baseline


# base64 of "-----BEGIN": a PEM block wrapped once more (Kubernetes secrets, CI variables, Helm values).
_PEM_B64 = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2}")
_PRIVATE_KEY = next(p for p in SCAN_PATTERNS if p.rule == "private-key")


def _base64_private_keys(line: str) -> list[str]:
    keys = []
    for match in _PEM_B64.finditer(line):
        head = match.group()[:96]
        try:
            decoded = base64.b64decode(head[: len(head) // 4 * 4])
        except (binascii.Error, ValueError):
            continue
        if b"PRIVATE KEY" in decoded.split(b"\n", 1)[0]:
            keys.append(match.group())
    return keys


def _example_host(line: str, password: str) -> bool:
    """Whether the URL holding `password` points at a reserved documentation host (example.com, *.test)."""
    at = line.find(password + "@")
    if at < 0:
        return False
    host = re.match(r"[^\s/:'\"?#@\\]*", line[at + len(password) + 1:])
    return bool(host and RESERVED_HOST.search(host.group()))


# A credential in a URL's query string (`?api_key=…&`, `&access_token=…`): unquoted, so detect-secrets'
# keyword patterns never see it. Judged like a keyword value; a weak one is dropped (`?token=abc`).
_QUERY_SECRET = re.compile(
    r"(?i)[?&;](?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|refresh[_-]?token|token|client[_-]?secret|"
    r"secret|password|passwd|pwd)=(?P<secret>[^&#\s'\"<>`]{8,512})")
QUERY_FIX = ("Revoke the credential at the service the URL calls, then send it in a header or request body "
             "loaded from the environment, never in a URL (URLs end up in logs, histories and Referer headers).")


def _query_secrets(line: str) -> list[str]:
    found = []
    for match in _QUERY_SECRET.finditer(line):
        value = unquote(match.group("secret"))
        if keyword_verdict(value, "url") == "error":
            found.append(match.group("secret"))
    return found


def our_hits(line: str) -> list[Hit]:
    hits: list[Hit] = []
    for pattern in SCAN_PATTERNS:
        for value in pattern.secrets(line):
            if pattern.rule == "database-url-password" and (is_placeholder(unquote(value))
                                                             or _example_host(line, value)):
                continue
            hits.append(Hit(pattern.rule, pattern.title, Severity(pattern.severity), value, pattern.fix,
                            pattern.title))
    for value in _query_secrets(line):
        if not any(value in hit.secret or hit.secret in value for hit in hits):  # a provider rule knows it better
            hits.append(Hit("url-query-secret", "credential in a URL query string", Severity.ERROR, value, QUERY_FIX,
                            "Secret Keyword"))
    for value in _base64_private_keys(line):
        hits.append(Hit(_PRIVATE_KEY.rule, f"{_PRIVATE_KEY.title} (base64-encoded PEM)", Severity.ERROR, value,
                        _PRIVATE_KEY.fix, _PRIVATE_KEY.title))
    for token in JWT_PATTERN.secrets(line):
        supabase = classify_jwt(token)
        if supabase is not None:
            hits.append(Hit(supabase.rule, supabase.title, Severity(supabase.severity), token, supabase.fix,
                            supabase.title))
    return hits


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


def ds_hit(kind: str, value: str) -> Hit:
    rule, severity, fix = _DS_RULES.get(kind, (_slug(kind), Severity.ERROR, ROTATE_GENERIC))
    return Hit(rule, kind, severity, value, fix, kind)


def detect(line: str, path: str, ds: DetectSecrets) -> list[Hit]:
    """Every secret on `line` (a candidate the prefilter let through), each value once."""
    if '\\"' in line:
        # JSON-escaped source (notebook cells, config embedded in a bundle): `password = \"…\"` is only
        # read by detect-secrets' keyword patterns with its quotes unescaped. No key holds a quote.
        line = line.replace('\\"', '"')
    hits = our_hits(line)
    taken = [hit.secret for hit in hits]
    for raw in ds.scan_line(path, line):
        value = raw.value
        if any(value in known or known in value for known in taken):
            continue
        if (raw.type == "Basic Auth Credentials" and is_placeholder(unquote(value))) or is_patterned(value):
            continue
        if raw.type == "Hex High Entropy String" and len(value) < MIN_HEX_DIGITS:
            continue
        if raw.type == "Basic Auth Credentials" and _example_host(line, value):
            continue
        hit = ds_hit(raw.type, value)
        verdict = "error"
        if raw.type == "Secret Keyword":
            verdict = keyword_verdict(value, path) or ""
        elif raw.type == "Basic Auth Credentials":
            # judged like a keyword value once decoded: `user:pass%20pass@` is prose, `user:pw@` weak
            verdict = keyword_verdict(unquote(value), path) or ""
        elif raw.type in ("Hex High Entropy String", "Base64 High Entropy String"):
            verdict = entropy_verdict(value, line) or ""
        if not verdict:
            continue
        if verdict == "warning":
            hit = dataclasses.replace(hit, severity=Severity.WARNING, title=f"{hit.title} (weak evidence)")
        taken.append(value)
        hits.append(hit)
    return [hit for hit in hits if not any(marker in hit.secret for marker in _DS_LOOKALIKE)]


ENV_NAME = re.compile(r"(?:^|/)(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env)$")  # .env, .env.local, prod.env
ENV_TEMPLATE = re.compile(r"(?i)\.(?:example|sample|template|dist|defaults?|schema|tpl)$|"
                          r"(?:^|/)(?:example|sample|template|defaults?)[\w-]*\.env$")


def is_env_file(path: str) -> bool:
    """`.env`, `.env.local`, `.env.production`, `prod.env`… but not `.env.example`, `sample.env` and friends."""
    return bool(ENV_NAME.search(path)) and not ENV_TEMPLATE.search(path)
