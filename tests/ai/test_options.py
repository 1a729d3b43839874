"""gates.ai.options: config (merged with flags) -> Options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gates.ai import options_from_config
from gates.config import Config
from gates.context import GateContext
from gates.errors import ConfigError, NotConfigured


def ctx(tmp_path: Path, data: dict[str, Any] | None = None) -> GateContext:
    return GateContext(root=tmp_path, config=Config(None, tmp_path, data or {}))


def test_no_url_is_not_configured(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match="url"):
        options_from_config({}, ctx(tmp_path))


def test_defaults(tmp_path: Path) -> None:
    options = options_from_config({"url": "http://127.0.0.1:9/api/chat"}, ctx(tmp_path))
    assert (options.method, options.max_requests, options.concurrency) == ("POST", 60, 8)
    assert options.allowed_domains == ("127.0.0.1",)
    assert options.request == {"messages": [{"role": "user", "content": "{prompt}"}]}
    assert len(options.cases) >= 35


def test_allowed_domains_are_hosts(tmp_path: Path) -> None:
    section = {"url": "http://h/chat", "allowed_domains": ["https://Example.com/x", ".cdn.example.net", "a.test:8443"]}
    assert options_from_config(section, ctx(tmp_path)).allowed_domains == ("example.com", "cdn.example.net", "a.test")


def test_base_url_and_path(tmp_path: Path) -> None:
    options = options_from_config({"base_url": "http://127.0.0.1:9/app/", "path": "/api/chat"}, ctx(tmp_path))
    assert options.url == "http://127.0.0.1:9/app/api/chat"  # base_url + path, as written
    from_smoke = options_from_config({"path": "chat"}, ctx(tmp_path, {"smoke": {"base_url": "http://h.test"}}))
    assert from_smoke.url == "http://h.test/chat"


def test_login_falls_back_to_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW", "pw-12345")
    smoke = {"smoke": {"login": {"path": "/login", "json": {"password": "${PW}"}, "token": "access_token"}}}
    options = options_from_config({"url": "http://127.0.0.1:9/chat", "auth": True}, ctx(tmp_path, smoke))
    assert options.login is not None and options.login.path == "http://127.0.0.1:9/login"
    assert "pw-12345" in options.secrets


def test_literal_credentials_are_refused(tmp_path: Path) -> None:
    literal = "hunter2" + "hunter2"  # built at runtime: the repository's own secrets scan stays clean
    login = {"path": "/login", "json": {"user": {"password": literal}}}
    with pytest.raises(ConfigError, match=r"\[ai.login\] json.user.password: a literal credential"):
        section = {"url": "http://h/chat", "auth": True, "login": login}
        options_from_config(section, ctx(tmp_path, {"ai": {"login": login}}))


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"url": "ftp://x/chat"}, "url: expected an http"),
        ({"url": "http://h/chat", "request": {"q": "no placeholder"}}, "request: expected a JSON template"),
        ({"url": "http://h/chat", "canaries": ["abc"]}, "canaries: expected strings of 6"),
        ({"url": "http://h/chat", "max_requests": 0}, "max_requests: expected an integer"),
        ({"url": "http://h/chat", "timeout": "soon"}, "timeout: expected a duration"),
        ({"url": "http://h/chat", "auth": True}, "auth: expected a"),
        ({"url": "http://h/chat", "categories": ["nope"]}, "categories: unknown category"),
        ({"url": "http://h/chat", "system_prompt_file": "missing.txt"}, "system_prompt_file: cannot read"),
        ({"url": "http://h/chat", "cases": "missing.yaml"}, "cases: cannot read"),
        ({"base_url": "http://h"}, "path: expected the chat route"),
        ({"url": "http://h/chat", "resolve": ["h:80"]}, "expected HOST:PORT:ADDR"),
    ],
)
def test_bad_config(tmp_path: Path, section: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        options_from_config(section, ctx(tmp_path))


def test_team_ids_must_not_clash(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("- id: override-marker\n  prompt: p\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="used twice"):
        options_from_config({"url": "http://h/chat", "cases": "c.yaml"}, ctx(tmp_path))
