"""Credential patterns shared by the secrets gate, the AI gate and redaction.

Each pattern matches the secret itself (group "secret" when only part of the match is secret,
e.g. the password inside a database URL). The secrets gate adds its own severities and fixes on
top; redaction only needs to know where a secret starts and ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CredentialPattern:
    rule: str
    title: str
    regex: re.Pattern[str]

    def spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for match in self.regex.finditer(text):
            group = "secret" if "secret" in self.regex.groupindex else 0
            start, end = match.span(group)
            if start >= 0 and end > start:
                spans.append((start, end))
        return spans


def _p(rule: str, title: str, pattern: str, flags: int = 0) -> CredentialPattern:
    return CredentialPattern(rule, title, re.compile(pattern, flags))


PATTERNS: tuple[CredentialPattern, ...] = (
    _p("aws-access-key", "AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    _p("anthropic-key", "Anthropic API key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
    _p("openai-key", "OpenAI API key",
       r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}(?:T3BlbkFJ[A-Za-z0-9_\-]{20,})?"),
    _p("stripe-key", "Stripe secret or restricted key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    _p("github-token", "GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})"),
    _p("gitlab-token", "GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    _p("google-api-key", "Google API key", r"\bAIza[0-9A-Za-z_\-]{35}"),
    _p("huggingface-token", "Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}"),
    _p("npm-token", "npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    _p("pypi-token", "PyPI token", r"\bpypi-AgE[A-Za-z0-9_\-]{50,}"),
    _p("slack-token", "Slack token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    _p("resend-key", "Resend API key", r"\bre_[A-Za-z0-9]{8,}_[A-Za-z0-9]{16,}"),
    _p("jwt", "JSON Web Token", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{10,}"),
    _p("private-key", "private key",
       r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY"
       r"(?: BLOCK)?-----|\Z)"),
    _p("url-password", "password in a URL",
       r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@'\"]{1,256}:(?P<secret>[^\s@/'\"]{3,256})@"),
    _p("bearer-token", "bearer token in a header",
       r"(?i)\bauthorization\s*[:=]\s*['\"]?bearer\s+(?P<secret>[A-Za-z0-9._~+/\-]{12,}=*)"),
)


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
