"""The test user's password, the bearer token and the session cookie never appear in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.http_app import PASSWORD, SESSION, TOKEN, Server
from tests.smoke.helpers import cli, rollback_cmd, write_config

SECRETS = (PASSWORD, TOKEN, SESSION)


def _config(app: Server, login: str, rollback: str) -> str:
    return f"""
[smoke]
base_url = "{app.url}"
retries = 0
rollback = "{rollback}"
[smoke.login]
{login}
[[smoke.checks]]
name = "token endpoint"
path = "/api/token"
json = {{ password = "${{DEMO_PASSWORD}}" }}
status = 201
[[smoke.checks]]
name = "dashboard"
path = "/dashboard"
auth = true
contains = "nope"
"""


@pytest.mark.parametrize(
    "login",
    [
        'path = "/api/token"\njson = { password = "${DEMO_PASSWORD}" }\ntoken = "data.access_token"',
        'path = "/api/login"\njson = { email = "demo@example.com", password = "${DEMO_PASSWORD}" }',
    ],
    ids=["bearer-token", "session-cookie"],
)
def test_no_secret_in_any_output(app: Server, git_repo: Path, rollback_script: Path, login: str) -> None:
    marker = git_repo / "marker"
    write_config(git_repo, _config(app, login, rollback_cmd(rollback_script, marker)))
    env = {"DEMO_PASSWORD": PASSWORD, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(git_repo / "out"),
           "GITHUB_STEP_SUMMARY": str(git_repo / "summary.md")}
    result = cli(["smoke", "--junit-xml", "junit.xml", "--json", "report.json"], env=env)
    assert result.exit_code == 1, result.output
    assert "rolling back; password was" in (git_repo / "junit.xml").read_text()  # the rollback output is kept
    stdout_json = cli(["smoke", "--json", "-"], env=env)
    written = [result.output, stdout_json.output, *(p.read_text() for p in
               (git_repo / "junit.xml", git_repo / "report.json", git_repo / "out", git_repo / "summary.md"))]
    for text in written:
        for secret in SECRETS:
            assert secret not in text
    if "token" in login:
        assert "tk-" in (git_repo / "junit.xml").read_text()  # the answer is shown, its token masked
