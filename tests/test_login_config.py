from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.common.login_config import login_from_config
from gates.config import load_config
from gates.context import GateContext
from gates.errors import ConfigError


def context(repo: Path, toml: str) -> GateContext:
    (repo / "gates.toml").write_text(toml, encoding="utf-8")
    return GateContext(root=repo, config=load_config())


def test_a_login_from_the_environment(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "correct-horse-battery")
    ctx = context(git_repo, '[smoke.login]\npath = "api/login"\ntoken = "data.token"\nstatus = [200, 201]\n'
                            'json = { email = "demo@example.com", password = "${DEMO_PASSWORD}" }\n')
    spec, secrets = login_from_config("smoke", ctx.config.section("smoke").data["login"], ctx)
    assert spec is not None
    assert (spec.path, spec.method, spec.token, spec.status) == ("/api/login", "POST", "data.token", (200, 201))
    assert secrets == {"correct-horse-battery"}


@pytest.mark.parametrize("gate", ["smoke", "edge", "ai"])
def test_a_literal_credential_is_refused_in_every_gate(git_repo: Path, gate: str) -> None:
    ctx = context(git_repo, f'[{gate}.login]\npath = "/login"\njson = {{ user = {{ api_key = "sk-typed-in" }} }}\n')
    with pytest.raises(ConfigError, match=rf"\[{gate}.login\] json.user.api_key: a literal credential"):
        login_from_config(gate, ctx.config.section(gate).data["login"], ctx)


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ('"x"', r"\[edge\] login: expected a table"),
        ('{ path = 5 }', r"\[edge\] login.path: expected a path"),
        ('{ path = "/l", method = "PO ST" }', r"\[edge\] login.method: expected an HTTP method"),
        ('{ path = "/l", status = 99 }', r"\[edge\] login.status: expected an HTTP status"),
        ('{ path = "/l", headers = { "X Bad" = "v" } }', r"\[edge\] login.headers.X Bad: expected a header name"),
    ],
)
def test_malformed_logins(git_repo: Path, login: str, message: str) -> None:
    ctx = context(git_repo, "")
    from gates.config import tomllib

    raw = tomllib.loads(f"login = {login}")["login"]
    with pytest.raises(ConfigError, match=message):
        login_from_config("edge", raw, ctx)


def test_edge_command_refuses_a_literal_password(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text(
        '[edge]\ndomain = "example.test"\ncanonical = "https://example.test"\n'
        '[edge.login]\npath = "/login"\njson = { password = "typed-in" }\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["edge"])
    assert result.exit_code == 2
    assert "[edge.login] json.password: a literal credential in the config" in result.output


def test_timing_refuses_a_literal_password(git_repo: Path) -> None:
    # timing keeps its own Login shape (it is shipped to the load generator) but makes the same check
    (git_repo / "gates.toml").write_text(
        '[timing]\nbase_url = "http://127.0.0.1:9"\n[[timing.routes]]\nname = "home"\npath = "/"\nauth = true\n'
        '[timing.login]\npath = "/login"\njson = { password = "typed-in" }\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 2
    assert "[timing.login] json.password: a literal credential in the config" in result.output
