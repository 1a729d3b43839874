from __future__ import annotations

from gates.report import (
    Check,
    Finding,
    Report,
    Severity,
    Status,
    apply_fail_on,
    combine_exit_codes,
    judge,
)
from tests.samples import mixed_report, passing_report


def test_exit_code_follows_status() -> None:
    assert passing_report().exit_code == 0
    assert mixed_report().exit_code == 1
    error_only = Report("x", (Check("a", Status.ERROR), Check("b", Status.PASSED)))
    assert error_only.exit_code == 3
    skipped_only = Report("x", (Check("a", Status.SKIPPED),))
    assert skipped_only.status is Status.SKIPPED and skipped_only.exit_code == 0


def test_blocked_beats_could_not_check_beats_pass() -> None:
    assert combine_exit_codes([0, 3, 1]) == 1
    assert combine_exit_codes([0, 3]) == 3
    assert combine_exit_codes([0, 0]) == 0
    assert combine_exit_codes([]) == 0
    assert combine_exit_codes([1, 2]) == 2


def test_judge_by_worst_severity() -> None:
    warning = Finding("w", "m", Severity.WARNING)
    error = Finding("e", "m", Severity.ERROR)
    info = Finding("i", "m", Severity.INFO)
    assert judge([]) is Status.PASSED
    assert judge([warning, info]) is Status.PASSED
    assert judge([warning, error]) is Status.FAILED
    assert judge([warning], Severity.WARNING) is Status.FAILED
    assert judge([info], Severity.WARNING) is Status.PASSED


def test_strict_turns_warnings_into_failures_only() -> None:
    report = mixed_report()
    strict = apply_fail_on(report, Severity.WARNING)
    statuses = {c.name: c.status for c in strict.checks}
    assert statuses == {"history": Status.FAILED, "staged": Status.FAILED, "logs": Status.ERROR,
                        "dist": Status.SKIPPED}
    assert apply_fail_on(report, Severity.ERROR) is report


def test_check_summary_and_location() -> None:
    check = mixed_report().checks[0]
    assert check.summary.startswith("aws-access-key: AWS key")
    assert check.location is not None and check.location.path == "config/settings.py"
    assert str(check.location) == "config/settings.py:12 @0123456789ab"
