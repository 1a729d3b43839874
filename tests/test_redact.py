from __future__ import annotations

from gates.redact import Redactor, mask, redact


def test_mask_shows_prefix_length_and_hash_only() -> None:
    masked = mask("AKIAIOSFODNN7ABCDEFG")
    assert masked.startswith("AKIA…(20, #")
    assert "IOSFODNN" not in masked
    assert mask("AKIAIOSFODNN7ABCDEFG") == masked  # stable, so two findings can be told apart


def test_short_secrets_show_less() -> None:
    assert mask("hunter22").startswith("hu…(8, #")


def test_known_secrets_are_masked_everywhere() -> None:
    text = "password=correct-horse-battery-staple and again correct-horse-battery-staple"
    out = redact(text, {"correct-horse-battery-staple"})
    assert "correct-horse-battery-staple" not in out
    assert out.count("…(28, #") == 2


def test_patterns_catch_unregistered_credentials() -> None:
    samples = [
        "key AKIAIOSFODNN7ABCDEFG here",
        "token ghp_" + "a" * 36,
        "postgres://app:s3cretPassw0rd@db.internal:5432/app",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ]
    secrets = ["IOSFODNN7ABCDEFG", "a" * 36, "s3cretPassw0rd", "abcdefghijklmnopqrstuvwxyz012345", "MIIEowIBAAKCAQEA"]
    for sample, secret in zip(samples, secrets, strict=True):
        assert secret not in redact(sample), sample


def test_redaction_is_idempotent() -> None:
    once = redact("postgres://app:s3cretPassw0rd@db/app AKIAIOSFODNN7ABCDEFG")
    assert redact(once) == once


def test_redactor_handles_none() -> None:
    assert Redactor({"x" * 10})(None) == ""
