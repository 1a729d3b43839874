"""Credential patterns shared by the secrets gate, the AI gate and redaction.

Each pattern matches the secret itself (group "secret" when only part of the match is secret,
e.g. the password inside a database URL). Redaction only needs to know where a secret starts and
ends, so it uses every pattern. The secrets gate scans with the patterns marked `scan=True` and
reports their `severity` and `fix` (which provider page rotates the key); patterns kept only for
redaction (broad shapes such as any bearer token) are `scan=False`.

JSON Web Tokens are classified by their claims (`classify_jwt`): a Supabase `service_role` key is
a full-access secret, the public `anon` key is not.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

ROTATE_GENERIC = (
    "Revoke and re-issue it where it was created, then load it from the environment or a secret manager."
)


@dataclass(frozen=True)
class CredentialPattern:
    rule: str
    title: str
    regex: re.Pattern[str]
    severity: str = "error"  # error | warning | info (gates.report.Severity values)
    fix: str = ROTATE_GENERIC
    scan: bool = True  # the secrets gate reports it; False = redaction only

    def spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for match in self.regex.finditer(text):
            group = "secret" if "secret" in self.regex.groupindex else 0
            start, end = match.span(group)
            if start >= 0 and end > start:
                spans.append((start, end))
        return spans

    def secrets(self, text: str) -> list[str]:
        """The secret values this pattern finds in `text`."""
        return [text[start:end] for start, end in self.spans(text)]


def _p(rule: str, title: str, pattern: str, flags: int = 0, *, severity: str = "error",
       fix: str = ROTATE_GENERIC, scan: bool = True) -> CredentialPattern:
    return CredentialPattern(rule, title, re.compile(pattern, flags), severity, fix, scan)


def _rotate(where: str) -> str:
    return f"Rotate it: {where}. Then load the new value from the environment or a secret manager."


PATTERNS: tuple[CredentialPattern, ...] = (
    _p("aws-access-key", "AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
       fix=_rotate("AWS console > IAM > Users > Security credentials (deactivate, then delete the key)")),
    _p("anthropic-key", "Anthropic API key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}",
       fix=_rotate("console.anthropic.com > Settings > API keys")),
    _p("openai-key", "OpenAI API key",
       r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b"
       r"|\bsk-[A-Za-z0-9]{48}\b",
       fix=_rotate("platform.openai.com > API keys (revoke, create a new one)")),
    # Broader OpenAI-like shape, kept so redaction stays conservative; too loose to report.
    _p("openai-like-key", "OpenAI-style key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}", scan=False),
    _p("stripe-live-key", "Stripe live secret or restricted key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}",
       fix=_rotate("dashboard.stripe.com > Developers > API keys > Roll key")),
    _p("stripe-test-key", "Stripe test-mode key", r"\b(?:sk|rk)_test_[A-Za-z0-9]{16,}", severity="warning",
       fix=_rotate("dashboard.stripe.com (test mode) > Developers > API keys > Roll key")),
    _p("github-token", "GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})",
       fix=_rotate("github.com > Settings > Developer settings > Personal access tokens (delete it)")),
    _p("gitlab-token", "GitLab token", r"\b(?:glpat|gldt|glrt|glptt|glsoat|gloas)-[A-Za-z0-9_\-]{20,}",
       fix=_rotate("GitLab > Preferences > Access tokens (revoke), or the project/group token page")),
    _p("google-api-key", "Google API key", r"\bAIza[0-9A-Za-z_\-]{35}",
       fix=_rotate("console.cloud.google.com > APIs & Services > Credentials (regenerate, restrict it)")),
    _p("google-oauth-secret", "Google OAuth client secret", r"\bGOCSPX-[A-Za-z0-9_\-]{28}",
       fix=_rotate("console.cloud.google.com > APIs & Services > Credentials > OAuth client > Reset secret")),
    _p("huggingface-token", "Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}",
       fix=_rotate("huggingface.co > Settings > Access Tokens (invalidate and refresh)")),
    _p("npm-token", "npm token", r"\bnpm_[A-Za-z0-9]{36}\b",
       fix=_rotate("npmjs.com > Access Tokens (delete it), or `npm token revoke`")),
    _p("pypi-token", "PyPI token", r"\bpypi-AgE[A-Za-z0-9_\-]{50,}",
       fix=_rotate("pypi.org > Account settings > API tokens (remove it)")),
    _p("slack-token", "Slack token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}",
       fix=_rotate("api.slack.com/apps > your app > OAuth & Permissions (revoke tokens)")),
    _p("resend-key", "Resend API key", r"\bre_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16,}",
       fix=_rotate("resend.com > API Keys (delete it, create a new one)")),
    _p("postmark-token", "Postmark server or account token",
       r"(?i)postmark[\w\-]{0,30}['\"]?\s*[:=,]?\s*['\"]?"
       r"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
       fix=_rotate("account.postmarkapp.com > Servers > API Tokens (regenerate)")),
    _p("mailgun-key", "Mailgun API key",
       r"\bkey-[0-9a-f]{32}\b|\b[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}\b",
       fix=_rotate("app.mailgun.com > Settings > API Keys (delete, create new)")),
    _p("vercel-token", "Vercel access token",
       r"(?i)vercel[\w\-]{0,30}['\"]?\s*[:=]\s*['\"]?(?P<secret>[A-Za-z0-9]{24})(?![A-Za-z0-9])",
       fix=_rotate("vercel.com > Account settings > Tokens (delete it)")),
    _p("database-url-password", "database URL with a password",
       r"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver)"
       r"(?:\+[a-z0-9]+)?://[^\s:/@'\"]{1,256}:(?P<secret>[^\s@/'\"]{3,256})@",
       fix=_rotate("change the database user's password (ALTER ROLE … PASSWORD, or the provider's "
                   "database settings page, e.g. Supabase > Project settings > Database > Reset password)")),
    _p("slack-webhook", "Slack incoming webhook",
       r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+",
       fix=_rotate("api.slack.com/apps > Incoming Webhooks (remove the webhook, add a new one)")),
    _p("jwt", "JSON Web Token", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{10,}",
       scan=False),  # classified by its claims: see classify_jwt
    _p("private-key", "private key",
       r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY"
       r"(?: BLOCK)?-----|\Z)",
       fix=_rotate("generate a new key pair, replace the public key wherever it is trusted (servers, "
                   "deploy keys, certificates) and revoke the old one")),
    _p("url-password", "password in a URL",
       r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@'\"]{1,256}:(?P<secret>[^\s@/'\"]{3,256})@", scan=False),
    _p("bearer-token", "bearer token in a header",
       r"(?i)\bauthorization\s*[:=]\s*['\"]?bearer\s+(?P<secret>[A-Za-z0-9._~+/\-]{12,}=*)", scan=False),
)

SCAN_PATTERNS: tuple[CredentialPattern, ...] = tuple(p for p in PATTERNS if p.scan)
JWT_PATTERN: CredentialPattern = next(p for p in PATTERNS if p.rule == "jwt")

SUPABASE_SERVICE_ROLE = CredentialPattern(
    "supabase-service-role", "Supabase service_role key (bypasses row-level security)", JWT_PATTERN.regex,
    fix=_rotate("Supabase dashboard > Project settings > API > roll the JWT secret / service_role key"),
)
SUPABASE_ANON = CredentialPattern(
    "supabase-anon-key", "Supabase anon (public) key", JWT_PATTERN.regex, severity="info",
    fix="The anon key is meant to be public; make sure row-level security protects every table.",
)


def jwt_claims(token: str) -> dict[str, object] | None:
    """The decoded payload of a JWT, or None when it is not one (no signature check: we only classify)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def classify_jwt(token: str) -> CredentialPattern | None:
    """The Supabase rule a JWT falls under by its `role` claim, or None for any other JWT."""
    claims = jwt_claims(token)
    if claims is None:
        return None
    role = claims.get("role")
    if role == "service_role":
        return SUPABASE_SERVICE_ROLE
    if role == "anon" or (role is None and claims.get("iss") == "supabase"):
        return SUPABASE_ANON
    return None


def find_spans(text: str) -> list[tuple[int, int]]:
    """Non-overlapping spans of every credential the shared patterns see in `text`."""
    if not text:
        return []
    spans = sorted(span for pattern in PATTERNS for span in pattern.spans(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
