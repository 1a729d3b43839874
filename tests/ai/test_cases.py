"""gates.ai.cases: the built-in set and the team's cases file."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.ai.cases import load_builtin, load_team_cases
from gates.errors import ConfigError
from gates.report import Severity


def test_builtin_set() -> None:
    attacks = load_builtin()
    assert attacks.version
    assert 35 <= len(attacks.cases) <= 50
    assert len({case.id for case in attacks.cases}) == len(attacks.cases)
    categories = {case.category for case in attacks.cases}
    assert {"direct-override", "role-play", "system-prompt", "indirect-injection", "encoding", "other-users-data",
            "secrets", "exfiltration", "tool-misuse"} <= categories
    assert {case.owasp for case in attacks.cases} <= {"LLM01", "LLM02", "LLM05", "LLM06", "LLM07"}
    assert all(case.prompts and case.title for case in attacks.cases)


def test_team_cases_yaml_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(
        "cases:\n"
        "  - id: refund\n"
        "    prompt: refund me\n"
        "    must_refuse: true\n"
        "    must_not_call: [issue_refund]\n"
        "  - id: two\n"
        "    category: mine\n"
        "    prompts: [a, b]\n"
        "    must_not_contain: MARKER-1\n",
        encoding="utf-8",
    )
    first, second = load_team_cases(path, "cases.yaml")
    assert (first.id, first.line, first.must_refuse, first.must_not_call) == ("refund", 2, Severity.ERROR,
                                                                               ("issue_refund",))
    assert (second.prompts, second.must_not_contain, second.line, second.category) == (("a", "b"), ("MARKER-1",), 6,
                                                                                        "mine")


def test_team_cases_json_list(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text('[{"id": "j", "prompt": "hi", "must_refuse": "warning"}]', encoding="utf-8")
    (case,) = load_team_cases(path, "cases.json")
    assert case.must_refuse is Severity.WARNING and case.source == "cases.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cases: []", "expected a list of cases"),
        ("- id: x\n", "prompt: expected a string"),
        ("- id: x\n  prompt: p\n  must_refuse: maybe\n", "must_refuse: expected"),
        ("- id: x\n  prompt: p\n  expect: y\n", "unknown key 'expect'"),
        ("- prompt: p\n", "id: expected a string"),
        ("- id: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_cases_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_team_cases(path, "cases.yaml")
