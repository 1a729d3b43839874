"""Fake credentials shaped like real ones, built at run time so this repository holds none in full."""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gates.cli import cli

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def rand(n: int, alphabet: str = ALNUM, seed: int = 7) -> str:
    rng = random.Random(f"{seed}-{n}-{alphabet[:3]}")
    return "".join(rng.choice(alphabet) for _ in range(n))


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{rand(43, ALNUM + '-_', 3)}"


OPENAI = "sk-" + "proj-" + rand(48, seed=1)
ANTHROPIC = "sk-" + "ant-api03-" + rand(80, seed=2)
STRIPE_LIVE = "sk_" + "live_" + rand(24, seed=3)
STRIPE_TEST = "sk_" + "test_" + rand(24, seed=4)
GITHUB_CLASSIC = "gh" + "p_" + rand(36, seed=5)
GITHUB_FINE = "github" + "_pat_" + rand(22, seed=6) + "_" + rand(59, seed=6)
GITLAB = "gl" + "pat-" + rand(20, seed=8)
GOOGLE_API = "AI" + "za" + rand(35, seed=9)
GOOGLE_OAUTH = "GOC" + "SPX-" + rand(28, seed=10)
HUGGINGFACE = "h" + "f_" + rand(34, seed=11)
NPM = "np" + "m_" + rand(36, seed=12)
PYPI = "pypi-" + "AgEIcHlwaS5vcmc" + rand(70, ALNUM + "-_", seed=13)
RESEND = "r" + "e_" + rand(8, seed=14) + "_" + rand(24, seed=14)
POSTMARK_UUID = "-".join(rand(n, HEX, seed=15 + n) for n in (8, 4, 4, 4, 12))
MAILGUN = "ke" + "y-" + rand(32, HEX, seed=16)
VERCEL = rand(24, seed=17)
DB_PASSWORD = "Pq8" + rand(17, seed=18)  # pragma: allowlist secret
DB_URL = f"postgres://app:{DB_PASSWORD}@db.internal:5432/app"
SERVICE_ROLE = jwt({"iss": "supabase", "ref": "abcdefghijklmnop", "role": "service_" + "role", "iat": 1700000000})
ANON = jwt({"iss": "supabase", "ref": "abcdefghijklmnop", "role": "anon", "iat": 1700000000})
PRIVATE_KEY_HEADER = "-----BEGIN " + "RSA PRIVATE KEY-----"
AWS_KEY = "AK" + "IA" + rand(16, string.ascii_uppercase + string.digits, seed=19)

# (rule id, a line holding the key, the key)
POSITIVES: list[tuple[str, str, str]] = [
    ("openai-key", f'OPENAI_API_KEY = "{OPENAI}"', OPENAI),
    ("anthropic-key", f"anthropic_key: {ANTHROPIC}", ANTHROPIC),
    ("stripe-live-key", f"stripe.api_key = '{STRIPE_LIVE}'", STRIPE_LIVE),
    ("github-token", f"token = {GITHUB_CLASSIC}", GITHUB_CLASSIC),
    ("github-token", f"GH_TOKEN={GITHUB_FINE}", GITHUB_FINE),
    ("gitlab-token", f"gitlab: {GITLAB}", GITLAB),
    ("google-api-key", f"const key = '{GOOGLE_API}';", GOOGLE_API),
    ("google-oauth-secret", f'"client_secret": "{GOOGLE_OAUTH}"', GOOGLE_OAUTH),
    ("huggingface-token", f"HF_TOKEN={HUGGINGFACE}", HUGGINGFACE),
    ("npm-token", f"//registry.npmjs.org/:_authToken={NPM}", NPM),
    ("pypi-token", f"password = {PYPI}", PYPI),
    ("resend-key", f"RESEND_API_KEY={RESEND}", RESEND),
    ("postmark-token", f'POSTMARK_SERVER_TOKEN="{POSTMARK_UUID}"', POSTMARK_UUID),
    ("mailgun-key", f"MAILGUN_API_KEY={MAILGUN}", MAILGUN),
    ("vercel-token", f"VERCEL_TOKEN={VERCEL}", VERCEL),
    ("database-url-password", f"DATABASE_URL={DB_URL}", DB_PASSWORD),
    ("supabase-service-role", f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_ROLE}", SERVICE_ROLE),
    ("private-key", PRIVATE_KEY_HEADER, ""),
    ("aws-access-key", f"aws_access_key_id = {AWS_KEY}", AWS_KEY),
]

NEGATIVES: list[str] = [
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'",
    'request_id = "123e4567-e89b-12d3-a456-426614174000"',
    "user_id: 6f1c2a4e-8b3d-4c5a-9e7f-0a1b2c3d4e5f",
    "DATABASE_URL=postgres://user:password@localhost:5432/app",
    "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app",
    'url = f"postgresql://app:{password}@{host}/app"',
    "-----BEGIN PUBLIC KEY-----",
    "pip install scikit-learn-intelex-extension-package",
    "see https://example.com/docs/getting-started/installation-guide",
]

LOCKFILE_LINES: dict[str, str] = {
    "package-lock.json": '      "integrity": "sha512-' + rand(86, ALNUM + "+/", seed=20) + '==",',
    "poetry.lock": '    {file = "x.whl", hash = "sha256:' + rand(64, HEX, seed=21) + '"},',
    "yarn.lock": '  integrity sha512-' + rand(86, ALNUM + "+/", seed=22) + "==",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


def commit(repo: Path, files: dict[str, str | bytes | None], message: str = "change") -> str:
    """Write (or delete, for None) files, commit them all, return the commit id."""
    for name, content in files.items():
        path = repo / name
        if content is None:
            git(repo, "rm", "-q", "--", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        git(repo, "add", "--", name)
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    import os

    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(*args: str) -> tuple[int, str, dict[str, Any] | None]:
    result = CliRunner().invoke(cli, ["secrets", *args, "--json", "out.json"])
    try:
        document = json.loads(Path("out.json").read_text())
    except OSError:
        document = None
    return result.exit_code, result.output, document
