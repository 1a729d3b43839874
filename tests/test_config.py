from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.config import DEFAULT_STAGES, find_config, load_config
from gates.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_means_defaults(git_repo: Path) -> None:
    config = load_config()
    assert config.path is None
    assert config.stages() == DEFAULT_STAGES
    assert config.section("smoke").data == {}


def test_gates_toml_found_from_a_subdirectory(git_repo: Path) -> None:
    write(git_repo / "gates.toml", '[smoke]\nbase_url = "http://127.0.0.1:9"\n')
    sub = git_repo / "app" / "src"
    sub.mkdir(parents=True)
    assert find_config(sub) == git_repo / "gates.toml"
    assert load_config(cwd=sub).section("smoke").data["base_url"] == "http://127.0.0.1:9"


def test_search_stops_at_the_git_root(git_repo: Path) -> None:
    write(git_repo.parent / "gates.toml", "[smoke]\n")
    assert find_config(git_repo) is None


def test_pyproject_tool_gates(git_repo: Path) -> None:
    write(git_repo / "pyproject.toml", '[project]\nname = "x"\n[tool.gates.stages]\npr = ["secrets"]\n')
    config = load_config()
    assert config.path == git_repo / "pyproject.toml"
    assert config.stages()["pr"] == ["secrets"]
    assert config.stages()["post-deploy"] == DEFAULT_STAGES["post-deploy"]


def test_pyproject_without_tool_gates_is_ignored(git_repo: Path) -> None:
    write(git_repo / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config().path is None


def test_gates_toml_wins_over_pyproject(git_repo: Path) -> None:
    write(git_repo / "pyproject.toml", "[tool.gates.smoke]\nretries = 1\n")
    write(git_repo / "gates.toml", "[smoke]\nretries = 5\n")
    assert load_config().section("smoke").data["retries"] == 5


def test_the_shared_example_is_accepted(git_repo: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "shared" / "gates.example.toml"
    if not example.exists():
        pytest.skip(f"{example} not present (it lives beside the project, not in it)")
    write(git_repo / "gates.toml", example.read_text(encoding="utf-8"))
    config = load_config()
    assert config.stages()["post-deploy"] == ["smoke", "edge", "email"]


def test_interpolation_and_defaults(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(git_repo / "gates.toml", '[smoke]\nbase_url = "${APP_URL:-http://127.0.0.1:8000}"\n'
          '[smoke.login]\njson = { email = "demo@example.com", password = "${DEMO_PASSWORD}" }\n')
    monkeypatch.setenv("DEMO_PASSWORD", "correct-horse-battery-staple")
    section = load_config().section("smoke")
    assert section.data["base_url"] == "http://127.0.0.1:8000"
    assert section.data["login"]["json"]["password"] == "correct-horse-battery-staple"
    assert section.secrets == {"correct-horse-battery-staple"}


def test_missing_variable_names_the_key(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    write(git_repo / "gates.toml", '[smoke.login]\njson = { password = "${DEMO_PASSWORD}" }\n')
    config = load_config()
    assert config.section("secrets").data == {}  # other gates are not stopped by it
    with pytest.raises(ConfigError, match=r"\[smoke.login.json\] password: environment variable DEMO_PASSWORD"):
        config.section("smoke")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smoke\nbase_url = 1", r"gates.toml: invalid TOML"),
        ("[smoke]\nretries = \"two\"", r"gates.toml: \[smoke\] retries: expected an integer, got string 'two'"),
        ("[smoke]\nbase_ur = \"x\"", r"\[smoke\] base_ur: unknown key; did you mean 'base_url'\?"),
        ("[smokes]\nbase_url = \"x\"", r"\[smokes\]: unknown gate or table; did you mean 'smoke'\?"),
        ("[stages]\npr = [\"secrest\"]", r"\[stages\] pr: unknown gate 'secrest'; did you mean 'secrets'\?"),
        ("[edge]\nhosts = { \"www.example.com\" = \"serv\" }",
         r"\[edge.hosts\] www.example.com: expected one of 'serve', 'redirect'"),
        ("[[secrets.allow]]\npath = \"x\"", r"\[secrets.allow\]\[0\] reason: required key is missing"),
        ("[smoke]\nwait = \"soon\"", r"\[smoke\] wait: expected a duration"),
        ("fail_on = \"maybe\"", r"\[top level\] fail_on: expected one of"),
    ],
)
def test_malformed_config_is_a_clear_error(git_repo: Path, text: str, message: str) -> None:
    write(git_repo / "gates.toml", text)
    with pytest.raises(ConfigError, match=message):
        load_config()


def test_config_error_exits_2_without_traceback(git_repo: Path) -> None:
    write(git_repo / "gates.toml", "[smoke]\nretries = \"two\"\n")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "gates.toml: [smoke] retries: expected an integer" in result.output
    assert "Traceback" not in result.output


def test_non_utf8_config(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_bytes(b"[smoke]\nbase_url = \"\xff\"\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config()


def test_explicit_missing_config(git_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", "nope.toml", "run"])
    assert result.exit_code == 2
    assert "nope.toml: config file not found" in result.output
