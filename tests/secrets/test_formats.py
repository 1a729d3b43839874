"""Real key formats stay caught wherever apps keep them, and keyword noise stays out.

Keys in JSON, YAML, .env, a minified one-line JS bundle, a Jupyter notebook (JSON-escaped strings),
URL query strings and base64-wrapped PEM keys (Kubernetes secrets) — scanned from real commits.
The other half: values next to `password`/`secret` that are prose, placeholders or references.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from gates.config import Config
from gates.context import GateContext
from gates.report import Report, Severity
from gates.secrets import options_from_config, run
from gates.secrets.detectors import DetectSecrets
from gates.secrets.rules import detect
from tests.secrets.fakes import (
    ALNUM,
    ANTHROPIC,
    GITHUB_CLASSIC,
    GOOGLE_API,
    OPENAI,
    SERVICE_ROLE,
    STRIPE_LIVE,
    commit,
    rand,
)

REAL_PASSWORD = "Xk29-qLm_" + rand(10, seed=31)  # pragma: allowlist secret
GITHUB_IN_URL = "gh" + "p_" + rand(36, seed=60)  # each place its own key: a key is reported once
GOOGLE_IN_URL = "AI" + "za" + rand(35, seed=61)
NOTEBOOK_PASSWORD = "Pz7-wQ_" + rand(12, seed=62)  # pragma: allowlist secret


def scan(repo: Path, **section: Any) -> Report:
    ctx = GateContext(root=repo, config=Config(None, repo))
    return run(options_from_config({"cache": "off", **section}, ctx))


def found(report: Report) -> dict[str, set[str]]:
    """rule -> paths, for blocking findings."""
    out: dict[str, set[str]] = {}
    for f in report.findings:
        if f.severity is Severity.ERROR and f.location is not None:
            out.setdefault(f.rule, set()).add(f.location.path)
    return out


def _pem_b64() -> str:
    body = "\n".join(rand(64, seed=40 + i) for i in range(5))
    pem = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + body + "\n-----END " + "RSA PRIVATE KEY-----\n"
    return base64.b64encode(pem.encode()).decode()


def test_keys_in_every_file_format(git_repo: Path) -> None:
    bundle = "!function(){" + "var a=1,b=2;" * 400 + f'var k="{GOOGLE_API}",s="{SERVICE_ROLE}";' + "x()" * 500 + "}();"
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": [
        "import openai\n", f'client = Anthropic(api_key="{ANTHROPIC}")\n', f'password = "{NOTEBOOK_PASSWORD}"\n']}]},
        indent=1)
    commit(git_repo, {
        "config/settings.json": json.dumps({"stripe": {"secret_key": STRIPE_LIVE}}, indent=2),
        "deploy/values.yaml": f"openai:\n  api_key: {OPENAI}\n",
        ".env.production": f"GITHUB_TOKEN={GITHUB_CLASSIC}\nDB_PASSWORD={REAL_PASSWORD}\n",
        "dist/app.min.js": bundle,
        "analysis.ipynb": notebook,
        "client.py": f'URL = "https://api.example.com/v1/items?format=json&key={GOOGLE_IN_URL}&page=2"\n'
                     f'HOOK = "https://api.example.com/hook?access_token={GITHUB_IN_URL}"\n',
        "k8s/tls-secret.yaml": f"kind: Secret\ndata:\n  tls.key: {_pem_b64()}\n",
    })
    rules = found(scan(git_repo))
    assert rules["stripe-live-key"] == {"config/settings.json"}
    assert rules["openai-key"] == {"deploy/values.yaml"}
    assert {".env.production", "client.py"} <= rules["github-token"]
    assert rules["env-file"] == {".env.production"}
    assert {"dist/app.min.js", "client.py"} <= rules["google-api-key"]
    assert rules["supabase-service-role"] == {"dist/app.min.js"}
    assert rules["anthropic-key"] == {"analysis.ipynb"}
    assert {".env.production", "analysis.ipynb"} <= rules["secret-keyword"]
    assert rules["private-key"] == {"k8s/tls-secret.yaml"}


def test_base64_of_a_public_certificate_is_not_a_private_key(ds: DetectSecrets) -> None:
    cert = base64.b64encode(b"-----BEGIN CERTIFICATE-----\n" + rand(64, seed=50).encode()).decode()
    assert [h.rule for h in detect(f"  tls.crt: {cert}", "k8s/tls.yaml", ds)] == []


@pytest.fixture(scope="module")
def ds() -> Any:
    with DetectSecrets() as detector:
        yield detector


# (path, line): keyword findings that are not secrets
NOT_SECRETS = [
    ("gates/registry.py", '    "secrets": "Secrets in git history, PR ranges, staged changes",'),
    ("app.py", 'PASSWORD = "correct horse battery staple"'),
    ("app.py", 'password = "changeme"'),
    ("app.py", 'api_key = "your_api_key_here"'),
    ("app.py", 'api_key = "your-api-key"'),
    ("app.py", 'api_key = "insert-your-key-here"'),
    ("app.py", 'api_key = "<your-key>"'),
    ("app.py", 'api_key = "${API_KEY}"'),
    ("app.py", 'api_key = "{{ api_key }}"'),
    ("app.py", 'password = "%(password)s"'),
    ("app.py", 'password = "REDACTED"'),
    ("app.py", 'secret = "TODO"'),
    ("app.py", 'password = ""'),
    ("app.py", 'api_key = "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'),
    ("app.py", 'password_env = "DB_PASSWORD"'),
    ("app.js", 'const apiKey = "process.env.API_KEY";'),
    ("app.js", 'const apiKey = process.env.API_KEY;'),
    ("app.py", 'password = os.environ["DB_PASSWORD"]'),
    ("deploy.yaml", "password: changeme"),
    ("deploy.yaml", "password: xxxxxxxx"),
    ("deploy.yaml", "api_key: YOUR_API_KEY"),
    ("deploy.yaml", "password: ${DB_PASSWORD}"),
    ("deploy.yaml", 'secret_key: "{{ vault_secret }}"'),
    (".env.example", "SECRET_KEY=your-secret-key"),
    (".env", "SECRET_KEY=changeme"),
    ("README.md", 'set `password = "hunter2"` in the config'),  # pragma: allowlist secret
    ("docs/setup.md", 'SECRET_KEY = "ci-only"'),
    ("docs/setup.md", 'password: "swordfish"'),  # pragma: allowlist secret
    ("fixtures.py", 'ID = "0123456789abcdef0123456789abcdef01234567"'),
    ("fixtures.py", 'CANARY = "7f3b9c2e1d"'),
    ("app.py", 'PASSWORD_CLIENT_KEYFILE = "client_password_key"'),
    ("app.py", 'app.secret_key = "secret_key"'),
    ("tests/test_http.py", 'assert response.get_etag() == ("0a4d' + rand(36, "0123456789abcdef", 70) + '", False)'),
    ("tests/test_http.py", 'nonce="dcd9' + rand(30, "0123456789abcdef", 71) + '",'),
    ("tests/test_wrappers.py", '"Content-MD5": "9a3b' + rand(28, "0123456789abcdef", 72) + '",'),
    ("examples/utils.py", 'URL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"'),
    ("tests/test_urls.py", '"http://user:s3cr3t-pw@example.com/path",'),
    ("tests/test_db.py", '"postgres://app:s3cr3t-pw@db.example.org:5432/app",'),
    ("tests/test_urls.py", '"http://user:p%C3%A4ssword@host.test/",'),
    ("tests/test_utils.py", "'http://user:pass%20pass@complex.url.com/path?query=yes',"),
    ("analysis.ipynb", '      "image/png": "iVBORw0KGgo' + rand(300, ALNUM + "+/", 111) + '"'),
    ("style.css", "src: url('data:font/woff2;base64," + rand(300, ALNUM + "+/", 112) + "')"),
]


@pytest.mark.parametrize(("path", "line"), NOT_SECRETS)
def test_keyword_noise_is_not_reported(ds: DetectSecrets, path: str, line: str) -> None:
    assert [(h.rule, h.secret) for h in detect(line, path, ds)] == []


@pytest.mark.parametrize("line", ['password = "wrong"', 'password = "hunter2"', 'SECRET = "swordfish"'])
def test_short_or_low_entropy_keyword_values_are_warnings(ds: DetectSecrets, line: str) -> None:
    [hit] = detect(line, "app.py", ds)
    assert hit.rule == "secret-keyword" and hit.severity is Severity.WARNING


@pytest.mark.parametrize(("path", "line"), [
    ("app.py", f'PASSWORD = "{REAL_PASSWORD}"'),
    ("deploy.yaml", f"password: {REAL_PASSWORD}"),
    (".env", f"DB_PASSWORD={REAL_PASSWORD}"),
    (".env.local", f'export API_SECRET="{REAL_PASSWORD}"'),
    ("docs/setup.md", f'SECRET_KEY = "{REAL_PASSWORD}"'),
])
def test_real_keyword_values_still_block(ds: DetectSecrets, path: str, line: str) -> None:
    [hit] = detect(line, path, ds)
    assert hit.rule == "secret-keyword" and hit.severity is Severity.ERROR and hit.secret == REAL_PASSWORD


def test_provider_keys_are_never_dropped_as_placeholders(ds: DetectSecrets) -> None:
    # a shape-recognised key next to a placeholder-looking word still blocks
    [hit] = detect(f'example_api_key = "{STRIPE_LIVE}"  # your key here', "app.py", ds)
    assert hit.rule == "stripe-live-key" and hit.severity is Severity.ERROR


def test_entropy_values_without_a_secret_word_are_warnings(ds: DetectSecrets) -> None:
    value = rand(40, "0123456789abcdef", 73)
    [hit] = detect(f'got = "{value}"', "tests/test_https.py", ds)
    assert hit.rule == "high-entropy-hex" and hit.severity is Severity.WARNING
    [hit] = detect(f'SECRET_KEY = "{value}"', "settings.py", ds)
    assert hit.severity is Severity.ERROR
    [hit] = detect(f'"http://deploy:{REAL_PASSWORD}@ci.internal.corp/"', "ci.py", ds)
    assert hit.rule == "basic-auth" and hit.severity is Severity.ERROR
    [hit] = detect('"http://deploy:hunter2@ci.internal.corp/"', "ci.py", ds)  # pragma: allowlist secret
    assert hit.rule == "basic-auth" and hit.severity is Severity.WARNING


def _pem(seed: int) -> str:
    body = "\n".join(rand(64, ALNUM + "+/", seed=seed + i) for i in range(4))
    return "-----BEGIN " + "RSA PRIVATE KEY-----\n" + body + "\n-----END " + "RSA PRIVATE KEY-----\n"


def test_distinct_private_keys_are_distinct_findings(git_repo: Path) -> None:
    # every RSA key's header line is the same: the key body must tell them apart
    commit(git_repo, {"certs/a.key": _pem(80), "certs/b.key": _pem(90), "copy/a.key": _pem(80)})
    (git_repo / "dist").mkdir()
    (git_repo / "dist" / "c.key").write_text(_pem(100))
    report = scan(git_repo, paths=["dist"])
    keys = sorted(f.location.path for f in report.findings if f.rule == "private-key" and f.location)
    assert keys == ["certs/a.key", "certs/b.key", "dist/c.key"]
    assert len({f.message.split("fingerprint ")[1] for f in report.findings if f.rule == "private-key"}) == 3


QUERY_TOKEN = rand(32, seed=110)


@pytest.mark.parametrize("line", [
    f'fetch("https://api.example.com/v1/items?page=2&api_key={QUERY_TOKEN}")',
    f"curl 'https://hooks.example.com/x?access_token={QUERY_TOKEN}&v=1'",
    f"GET /callback?token={QUERY_TOKEN} HTTP/1.1",
])
def test_credentials_in_url_query_strings(ds: DetectSecrets, line: str) -> None:
    assert [(h.rule, h.secret) for h in detect(line, "app.js", ds)] == [("url-query-secret", QUERY_TOKEN)]


@pytest.mark.parametrize("line", [
    'fetch("https://api.example.com/v1/items?api_key=YOUR_API_KEY")',
    'url = f"https://api.example.com/?token={token}&page=2"',
    "https://example.com/?token=${TOKEN}",
    "https://example.com/search?key=value&password=password",
])
def test_url_query_placeholders_are_not_secrets(ds: DetectSecrets, line: str) -> None:
    assert detect(line, "app.js", ds) == []


def test_provider_key_in_a_query_is_reported_by_its_provider_rule(ds: DetectSecrets) -> None:
    [hit] = detect(f"https://x.example/?key={GOOGLE_API}", "app.js", ds)
    assert hit.rule == "google-api-key"
