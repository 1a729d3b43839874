"""Each rule's positive example, and look-alikes that must not fire (example keys, UUIDs, lockfile hashes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gates.common.credentials import classify_jwt, find_spans
from gates.report import Severity
from gates.secrets.detectors import DetectSecrets, is_candidate
from gates.secrets.rules import detect, is_env_file
from tests.secrets.fakes import ANON, LOCKFILE_LINES, NEGATIVES, POSITIVES, SERVICE_ROLE, STRIPE_TEST


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


def test_redaction_still_sees_every_scanned_secret() -> None:
    for _, line, secret in POSITIVES:
        if secret:
            assert any(line[a:b] == secret or secret in line[a:b] for a, b in find_spans(line)), line


def test_prefilter_keywords_match_detect_secrets() -> None:
    from detect_secrets.plugins.keyword import DENYLIST

    from gates.secrets.detectors import KEYWORDS

    assert tuple(DENYLIST) == KEYWORDS
