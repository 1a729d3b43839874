from __future__ import annotations

from pathlib import Path

import pytest

from gates.barrier import gates_for_stage, run_barrier
from gates.config import load_config
from gates.context import GateContext
from gates.errors import ConfigError
from gates.registry import Gate
from gates.report import Severity, Status
from tests.samples import SelfTestGate


def run(repo: Path, outcomes: dict[str, str | None], allow_errors: bool = False,
        fail_on: Severity = Severity.ERROR) -> tuple[int, dict[str, Status], tuple[str, ...]]:
    ctx = GateContext(root=repo, config=load_config(), stage="pr")

    def load(name: str) -> Gate | None:
        return None if name == "missing" else SelfTestGate(name, outcomes[name])

    result = run_barrier(ctx, list(outcomes), allow_errors=allow_errors, fail_on=fail_on, loader=load)
    return result.exit_code, {r.gate: r.status for r in result.reports}, result.notes


def test_all_pass(git_repo: Path) -> None:
    code, statuses, notes = run(git_repo, {"a": "pass", "b": "pass"})
    assert code == 0
    assert statuses == {"a": Status.PASSED, "b": Status.PASSED}
    assert notes[0] == "ran: a, b"


def test_blocked_beats_could_not_check(git_repo: Path) -> None:
    code, statuses, _ = run(git_repo, {"a": "error", "b": "fail", "c": "pass"})
    assert code == 1


def test_could_not_check_is_never_a_pass(git_repo: Path) -> None:
    code, statuses, _ = run(git_repo, {"a": "cannot", "b": "pass"})
    assert code == 3
    assert statuses["a"] is Status.ERROR


def test_allow_errors_lets_exit_3_through_with_a_note(git_repo: Path) -> None:
    code, _, notes = run(git_repo, {"a": "cannot", "b": "pass"}, allow_errors=True)
    assert code == 0
    assert any("--allow-errors: a could not check" in note for note in notes)
    code, _, _ = run(git_repo, {"a": "cannot", "b": "fail"}, allow_errors=True)
    assert code == 1


def test_a_crashing_gate_is_an_error_and_the_others_still_run(git_repo: Path) -> None:
    code, statuses, _ = run(git_repo, {"a": "crash", "b": "pass"})
    assert code == 3
    assert statuses == {"a": Status.ERROR, "b": Status.PASSED}


def test_unconfigured_and_missing_gates_are_skipped_with_reasons(git_repo: Path) -> None:
    code, statuses, notes = run(git_repo, {"a": None, "missing": None, "b": "pass"})
    assert code == 0
    assert statuses["a"] is Status.SKIPPED and statuses["missing"] is Status.SKIPPED
    assert "skipped: a, missing" in notes


def test_nothing_checked_says_so(git_repo: Path) -> None:
    code, _, notes = run(git_repo, {"a": None})
    assert code == 0
    assert any("nothing was checked" in note for note in notes)


def test_strict_makes_warnings_block(git_repo: Path) -> None:
    assert run(git_repo, {"a": "warn"})[0] == 0
    assert run(git_repo, {"a": "warn"}, fail_on=Severity.WARNING)[0] == 1


def test_stages_from_config_and_unknown_stage(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text('[stages]\nnightly = ["email"]\n', encoding="utf-8")
    config = load_config()
    assert gates_for_stage(config, "nightly") == ["email"]
    assert gates_for_stage(config, "pr") == ["secrets", "deps", "migrations", "timing"]
    with pytest.raises(ConfigError, match=r"\[stages\] nightl: unknown stage; did you mean 'nightly'"):
        gates_for_stage(config, "nightl")


def test_a_usage_error_in_a_gate_stops_the_run(git_repo: Path) -> None:
    from gates.errors import UsageError

    class Refusing(SelfTestGate):
        def options_from_config(self, section, ctx):  # type: ignore[no-untyped-def]
            raise UsageError("refused: that database has tables")

    ctx = GateContext(root=git_repo, config=load_config(), stage="pr")
    with pytest.raises(UsageError, match="refused"):
        run_barrier(ctx, ["a"], loader=lambda name: Refusing(name, "pass"))
