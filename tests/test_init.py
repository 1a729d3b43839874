from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gates.cli import cli
from gates.config import load_config


def test_init_detects_the_repository(git_repo: Path) -> None:
    (git_repo / "requirements.txt").write_text("flask==2.0.0\n")
    (git_repo / "frontend").mkdir()
    (git_repo / "frontend" / "package-lock.json").write_text("{}")
    (git_repo / "supabase" / "migrations").mkdir(parents=True)
    (git_repo / "dist").mkdir()
    (git_repo / "Procfile").write_text("web: uvicorn app:app --port 8123\n")
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    text = (git_repo / "gates.toml").read_text()
    config = load_config()  # what init writes must load and validate
    assert config.section("deps").data["files"] == ["frontend/package-lock.json", "requirements.txt"]
    assert config.section("migrations").data["path"] == "supabase/migrations"
    assert config.section("secrets").data["paths"] == ["dist"]
    timing = config.section("timing").data
    assert timing["start"] == "uvicorn app:app --port 8123"
    assert timing["base_url"] == "http://127.0.0.1:8123"
    assert "# Secrets come from the environment" in text


def test_init_on_an_empty_repo_and_package_json(git_repo: Path) -> None:
    (git_repo / "package.json").write_text(json.dumps({"scripts": {"start": "next start"}}))
    result = CliRunner().invoke(cli, ["init", "--stdout"])
    assert result.exit_code == 0
    assert 'start = "npm start"' in result.output
    assert not (git_repo / "gates.toml").exists()


def test_init_refuses_to_overwrite(git_repo: Path) -> None:
    (git_repo / "gates.toml").write_text("# mine\n")
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert (git_repo / "gates.toml").read_text() == "# mine\n"
    assert CliRunner().invoke(cli, ["init", "--force"]).exit_code == 0
    assert "[stages]" in (git_repo / "gates.toml").read_text()
