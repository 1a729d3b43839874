from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gates.cli import cli
from gates.errors import ConfigError, NotConfigured
from gates.timing.options import parse_ramp, parse_think_time
from tests.timing.conftest import make_options

ROUTE = {"name": "home", "path": "/"}


def test_nothing_to_check_without_base_url_or_start(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match="base_url"):
        make_options({"routes": [ROUTE]}, tmp_path)


def test_class_budgets_follow_the_method_and_can_be_overridden(tmp_path: Path) -> None:
    options = make_options({
        "base_url": "http://127.0.0.1:9",
        "budgets": {"ai": {"p95_ms": 3000}},
        "routes": [ROUTE, {"name": "save", "path": "/save", "method": "post"},
                   {"name": "chat", "path": "/chat", "method": "POST", "class": "ai", "p99_ms": 5000},
                   {"name": "own", "path": "/own", "p95_ms": 120, "max_error_rate": 0.05}],
    }, tmp_path)
    budgets = {route.name: route.budget for route in options.routes}
    assert budgets["home"].p95_ms == 500 and budgets["home"].max_error_rate == 0.01
    assert budgets["save"].p95_ms == 800 and options.routes[1].klass == "write"
    assert budgets["chat"].p95_ms == 3000 and budgets["chat"].p99_ms == 5000
    assert budgets["own"].p95_ms == 120 and budgets["own"].max_error_rate == 0.05


def test_defaults_from_the_issue(tmp_path: Path) -> None:
    ctx_section: dict[str, Any] = {"base_url": "http://127.0.0.1:9/", "routes": [ROUTE]}
    from gates.config import Config
    from gates.context import GateContext
    from gates.timing import options_from_config

    options = options_from_config(ctx_section, GateContext(root=tmp_path, config=Config(None, tmp_path)))
    assert options.users == 25 and options.duration == 30 and options.think_time == (0.5, 1.5)
    assert options.min_requests == 200 and options.mode == "closed" and options.base_url == "http://127.0.0.1:9"
    assert options.regression_pct == 20 and options.regression_ms == 25
    assert options.baseline == tmp_path / ".gates/timing-baseline.json"


@pytest.mark.parametrize(("value", "expected"), [
    (1, (1.0, 1.0)), ([0.5, 1.5], (0.5, 1.5)), ("0.5-1.5", (0.5, 1.5)), ("200ms-1s", (0.2, 1.0)), (0, (0.0, 0.0)),
])
def test_think_time_forms(value: Any, expected: tuple[float, float]) -> None:
    assert parse_think_time(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["fast", [2, 1], [1, 2, 3], True])
def test_bad_think_time(value: Any) -> None:
    with pytest.raises(ConfigError, match="think_time"):
        parse_think_time(value)


def test_ramp_forms() -> None:
    assert parse_ramp("10, 25,50") == (10, 25, 50)
    assert parse_ramp([1, 2]) == (1, 2)
    with pytest.raises(ConfigError, match="ramp"):
        parse_ramp("50,10")


@pytest.mark.parametrize(("section", "message"), [
    ({"routes": [ROUTE, ROUTE]}, "used by two routes"),
    ({"routes": [{**ROUTE, "auth": True}]}, "need a \\[timing.login\\] table"),
    ({"routes": []}, "at least one"),
    ({"routes": [{"name": "x", "path": "nope"}]}, "starting with /"),
    ({"routes": [ROUTE], "users": 0}, "users"),
    ({"routes": [ROUTE], "duration": "soon"}, "duration"),
    ({"routes": [{**ROUTE, "max_error_rate": 5}]}, "fraction"),
    ({"routes": [ROUTE], "base_url": "ftp://x"}, "base_url"),
    ({"routes": [ROUTE], "ready": "health"}, "ready: expected a path starting with /"),
    ({"routes": [ROUTE], "ca_bundle": "no-such-ca.pem"}, "ca_bundle: expected a PEM file"),
])
def test_bad_config_names_the_key(tmp_path: Path, section: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_options({"base_url": "http://127.0.0.1:9", **section}, tmp_path)


def test_cli_bad_config_is_exit_2_without_traceback(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text(
        '[timing]\nbase_url = "http://127.0.0.1:9"\nusers = "many"\n[[timing.routes]]\nname = "a"\npath = "/"\n'
    )
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 2
    assert "users" in result.output and "Traceback" not in result.output


def test_cli_unknown_route_key_is_exit_2(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text(
        '[timing]\nbase_url = "http://127.0.0.1:9"\n[[timing.routes]]\nname = "a"\npath = "/"\np95 = 3\n'
    )
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 2 and "p95" in result.output and "did you mean" in result.output


def test_cli_without_config_says_what_to_set(git_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["timing"])
    assert result.exit_code == 2 and "base_url" in result.output


def test_warmup_defaults_to_the_ramp_up_time(tmp_path: Path) -> None:
    base = {"base_url": "http://127.0.0.1:9", "routes": [ROUTE], "users": 10}
    assert make_options({**base, "spawn_rate": 2}, tmp_path).warmup == 5
    assert make_options({**base, "spawn_rate": 2, "warmup": "1s"}, tmp_path).warmup == 1
    assert make_options(base, tmp_path).warmup == 0


def test_toml_dates_in_a_json_body_are_sent_as_iso_strings(git_repo: Path) -> None:
    # tomllib gives datetime objects, which the generator's JSON spec could not carry (it was a traceback).
    import json

    from gates.config import load_config
    from gates.context import GateContext
    from gates.timing import options_from_config
    from gates.timing.engine import build_spec

    (git_repo / "gates.toml").write_text(
        '[timing]\nbase_url = "http://127.0.0.1:9"\n[[timing.routes]]\nname = "book"\nmethod = "POST"\n'
        'path = "/book"\njson = { at = 2026-05-27T07:32:00Z, day = 2026-05-27, slots = [1, 2] }\n'
    )
    config = load_config(git_repo / "gates.toml", git_repo)
    options = options_from_config(config.section("timing").data, GateContext(root=git_repo, config=config))
    spec = json.loads(json.dumps(build_spec(options, 1, git_repo / "r.json")))
    assert spec["routes"][0]["json"] == {"at": "2026-05-27T07:32:00+00:00", "day": "2026-05-27", "slots": [1, 2]}
