"""Each rule's positive example, and look-alikes that must not fire (example keys, UUIDs, lockfile hashes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gates.common.credentials import classify_jwt, find_spans
from gates.report import Severity
from gates.secrets.detectors import DetectSecrets
from gates.secrets.prefilter import is_candidate
from gates.secrets.rules import detect, is_env_file
from tests.secrets.fakes import ANON, LOCKFILE_LINES, NEGATIVES, POSITIVES, SERVICE_ROLE, STRIPE_TEST, rand


@pytest.fixture(scope="module")
def ds() -> Iterator[DetectSecrets]:
    with DetectSecrets() as scanner:
        yield scanner


@pytest.mark.parametrize(("rule", "line", "secret"), POSITIVES, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSITIVES)])
def test_each_rule_fires_on_its_example(ds: DetectSecrets, rule: str, line: str, secret: str) -> None:
    assert is_candidate(line), "the prefilter must let every positive through"
    hits = detect(line, "config/settings.py", ds)
    matching = [hit for hit in hits if hit.rule == rule]
    assert matching, [h.rule for h in hits]
    assert matching[0].severity is Severity.ERROR
    assert "rotate" in matching[0].fix.lower() or "revoke" in matching[0].fix.lower()
    if secret:
        assert matching[0].secret == secret
        assert len({hit.secret for hit in hits}) == len(hits), "a value is reported once"


@pytest.mark.parametrize("line", NEGATIVES)
def test_look_alikes_do_not_fire(ds: DetectSecrets, line: str) -> None:
    assert detect(line, "docs/example.py", ds) == []


@pytest.mark.parametrize(("path", "line"), sorted(LOCKFILE_LINES.items()))
def test_lockfile_hashes_do_not_fire(ds: DetectSecrets, path: str, line: str) -> None:
    assert detect(line, path, ds) == []


def test_stripe_test_key_is_a_warning(ds: DetectSecrets) -> None:
    hits = detect(f"STRIPE_KEY={STRIPE_TEST}", "app.py", ds)
    assert [(h.rule, h.severity) for h in hits] == [("stripe-test-key", Severity.WARNING)]


def test_supabase_keys_are_told_apart_by_role_claim(ds: DetectSecrets) -> None:
    assert classify_jwt(SERVICE_ROLE) is not None and classify_jwt(SERVICE_ROLE).rule == "supabase-service-role"  # type: ignore[union-attr]
    anon = detect(f"NEXT_PUBLIC_SUPABASE_ANON_KEY={ANON}", ".env.example", ds)
    assert [(h.rule, h.severity) for h in anon] == [("supabase-anon-key", Severity.INFO)]


def test_env_files() -> None:
    assert is_env_file(".env") and is_env_file("web/.env.production") and is_env_file(".env.local")
    assert not is_env_file(".env.example") and not is_env_file("docs/.env.sample") and not is_env_file("env.py")
    assert is_env_file("deploy/prod.env") and is_env_file("app.env")  # docker --env-file style
    assert not is_env_file("sample.env") and not is_env_file("config/example.env") and not is_env_file("dotenv.py")


def test_redaction_still_sees_every_scanned_secret() -> None:
    for _, line, secret in POSITIVES:
        if secret:
            assert any(line[a:b] == secret or secret in line[a:b] for a, b in find_spans(line)), line


def test_prefilter_keywords_match_detect_secrets() -> None:
    from detect_secrets.plugins.keyword import DENYLIST

    from gates.secrets.prefilter import KEYWORDS

    assert tuple(DENYLIST) == KEYWORDS


def _ds_samples() -> dict[str, str]:
    from tests.secrets.fakes import ALNUM, HEX, rand

    lower = "abcdefghijklmnopqrstuvwxyz"
    b64 = ALNUM + "+/"
    return {
        "Artifactory Credentials": "artifactory = AKCp8" + rand(70, ALNUM, 30),
        "AWS Access Key": f"aws_secret_access_key = '{rand(40, b64, 31)}'",
        "Azure Storage Account access key": "AccountKey=" + rand(86, b64, 32) + "==",
        "Basic Auth Credentials": "url = https://admin:" + rand(12, ALNUM, 33) + "@example.com/",
        "Cloudant Credentials": "cl_key = " + rand(24, lower, 34),
        "Discord Bot Token": "bot: M" + rand(23, ALNUM, 35) + "." + rand(6, ALNUM, 36) + "." + rand(27, ALNUM, 37),
        "Base64 High Entropy String": f'blob = "{rand(40, b64, 38)}"',
        "Hex High Entropy String": f'digest = "{rand(32, HEX, 39)}"',
        "IBM Cloud IAM Key": "ibm_cloud_iam_key = " + rand(44, ALNUM + "_-", 40),
        "IBM COS HMAC Credentials": "cos_hmac_secret_access_key = " + rand(48, HEX, 41),
        "Secret Keyword": 'password = "' + rand(14, ALNUM, 42) + '"',  # pragma: allowlist secret
        "Mailchimp Access Key": "mc = " + rand(32, lower + "0123456789", 43) + "-us12",
        "NPM tokens": "//registry.npmjs.org/:_authToken=npm_" + rand(36, ALNUM, 44),
        "OpenAI Token": "k = sk-" + rand(20, ALNUM, 45) + "T3BlbkFJ" + rand(20, ALNUM, 46),
        "SendGrid API Key": "SG." + rand(22, ALNUM, 47) + "." + rand(43, ALNUM, 48),
        "Slack Token": "slack = xoxb-123456789012-" + rand(24, lower, 49),  # pragma: allowlist secret
        "SoftLayer Credentials": "softlayer_api_key = " + rand(64, lower + "0123456789", 50),
        "Square OAuth Secret": "sq0csp-" + rand(43, ALNUM, 51),
        "Telegram Bot Token": "bot = 123456789:" + rand(35, ALNUM, 52),
        "Twilio API Key": "twilio = AC" + rand(32, lower + "0123456789", 53),
    }


@pytest.mark.parametrize(("kind", "line"), sorted(_ds_samples().items()))
def test_prefilter_keeps_every_detect_secrets_plugin(ds: DetectSecrets, kind: str, line: str) -> None:
    """No finding lost: each plugin's positive reaches the plugins through the prefilter."""
    assert kind in {raw.type for raw in ds.scan_line("app/settings.py", line)}, "the sample must be a positive"
    assert is_candidate(line)


def test_prefilter_measures_quoted_runs_as_the_base64_plugin_does() -> None:
    high = rand(40, seed=99)  # random letters and digits: above 4.5 bits
    low = "x" * 12 + "y" * 12 + "z" * 6  # 30 characters, under 2 bits (and not hex)
    assert is_candidate(f'x = "{high}"') and is_candidate(f"x = '{high}'")
    assert not is_candidate(f'label = "{low}"')
    # every quote starts a run, however a left-to-right scan would pair them
    assert is_candidate(f'"{low}"{high}"')
