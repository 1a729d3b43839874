"""`gates edge` through the CLI: exit codes, config errors without tracebacks, outputs, redaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gates.cli import cli
from tests.servers.edge_app import DOMAIN, Page, dead_port, good_site

SECRET = "Zq9-edge-" + "Secret-771x"
COOKIE_VALUE = "sess-" + "Y7xPq2Lm9Rt4"


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def write_config(repo: Path, section: dict[str, Any]) -> None:
    """gates.toml for `section`; a literal login password becomes ${EDGE_TEST_PASSWORD}, as the gate demands."""
    login = section.get("login")
    if isinstance(login, dict) and "${" not in str(login.get("json", {}).get("password", "${")):
        import os

        os.environ["EDGE_TEST_PASSWORD"] = login["json"]["password"]
        section = {**section, "login": {**login, "json": {**login["json"], "password": "${EDGE_TEST_PASSWORD}"}}}
    lines = ["[edge]"] + [f"{key} = {toml_value(value)}" for key, value in section.items()]
    (repo / "gates.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["edge", *args], env=env, catch_exceptions=False)


def test_good_map_passes_with_flags_and_writes_junit(world, git_repo):
    section = world()
    flags = ["--nameserver", section.pop("nameservers")[0], "--http-port", str(section.pop("http_port")),
             "--https-port", str(section.pop("https_port")), "--ca-bundle", section.pop("ca_bundle")]
    write_config(git_repo, section)
    result = invoke(*flags, "--junit-xml", "out/edge.xml", "--json", "out/edge.json")
    assert result.exit_code == 0, result.output
    assert 'name="gates.edge"' in (git_repo / "out/edge.xml").read_text()
    data = json.loads((git_repo / "out/edge.json").read_text())
    assert data["exit_code"] == 0
    assert {check["group"] for check in data["gates"][0]["checks"]} >= {"dns", "redirect", "tls", "cache", "cookies"}


def test_blocked_junit_validates_against_the_xsd(world, git_repo):
    from lxml import etree

    site = good_site()
    site.hosts[f"www.{DOMAIN}"].redirect_to = None
    site.hosts[f"www.{DOMAIN}"].pages = {"/": Page()}
    write_config(git_repo, world(site))
    assert invoke("--junit-xml", "edge.xml").exit_code == 1
    root = etree.parse(str(git_repo / "edge.xml")).getroot()
    names = [(case.get("classname"), case.get("name")) for case in root.iter("testcase")]
    assert len(names) == len(set(names))
    assert any(case.find("failure") is not None and case.find("failure").get("type") == "edge.redirect.not-canonical"
               for case in root.iter("testcase"))
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    xsd = Path(__file__).resolve().parents[1] / "data" / "junit-10.xsd"
    etree.XMLSchema(etree.parse(str(xsd))).assertValid(root)


def test_gates_run_includes_edge_in_post_deploy(world, git_repo):
    write_config(git_repo, world())
    result = CliRunner().invoke(cli, ["run", "--stage", "post-deploy", "--gates", "edge", "--junit-xml", "all.xml"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert 'name="gates.edge"' in (git_repo / "all.xml").read_text()


def test_broken_map_blocks(world, git_repo):
    site = good_site()
    site.hosts[f"app.{DOMAIN}"].http = "serve"
    write_config(git_repo, world(site))
    result = invoke()
    assert result.exit_code == 1
    assert "edge.redirect.http-not-redirected" in result.output


def test_relative_ca_bundle_is_read_from_the_repository(world, certs, git_repo, monkeypatch):
    section = world()
    (git_repo / "certs").mkdir()
    (git_repo / "certs" / "ca.pem").write_bytes(certs.bundle.read_bytes())
    section["ca_bundle"] = "certs/ca.pem"
    write_config(git_repo, section)
    (git_repo / "sub").mkdir()
    monkeypatch.chdir(git_repo / "sub")
    result = invoke()
    assert result.exit_code == 0, result.output


def test_warnings_block_under_strict(world, certs, git_repo):
    certs.expiring(f"app.{DOMAIN}", 10)
    write_config(git_repo, world())
    assert invoke().exit_code == 0
    result = invoke("--strict")
    assert result.exit_code == 1
    assert "edge.tls.expiring" in result.output


def test_unreachable_host_exits_3(world, git_repo):
    section = world()
    section["https_port"] = dead_port()
    write_config(git_repo, section)
    assert invoke().exit_code == 3


def test_nothing_configured_exits_2(git_repo):
    result = invoke()
    assert result.exit_code == 2
    assert "set [edge] domain and canonical" in result.output


def test_bad_resolve_flag_exits_2_without_traceback(git_repo):
    result = invoke("--domain", DOMAIN, "--canonical", f"https://{DOMAIN}", "--resolve", "nonsense")
    assert result.exit_code == 2
    assert "[edge] resolve:" in result.output and "expected HOST:PORT:ADDR" in result.output
    assert "Traceback" not in result.output


def test_bad_config_value_exits_2(git_repo):
    write_config(git_repo, {"domain": DOMAIN, "canonical": "ftp://example.test", "hosts": {"www.example.test": "x"}})
    result = invoke()
    assert result.exit_code == 2
    assert "hosts" in result.output and "'serve'" in result.output


def test_canonical_outside_the_domain_exits_2(git_repo):
    result = invoke("--domain", DOMAIN, "--canonical", "https://elsewhere.test")
    assert result.exit_code == 2
    assert "[edge] canonical: expected an origin on example.test" in result.output


def test_secrets_never_reach_any_output(world, git_repo):
    site = good_site()
    cookie = f"session={COOKIE_VALUE}; Path=/; HttpOnly; SameSite=Lax"  # no Secure: a finding shows it
    site.hosts[DOMAIN].pages["/api/login"].cookies = [cookie]
    site.hosts[f"app.{DOMAIN}"].pages["/"] = Page(
        body=f"<html><script src='http://cdn.test/x.js?pw={SECRET}&s={COOKIE_VALUE}'></script></html>")
    section = world(site)
    section["login"] = {"path": "/api/login", "json": {"email": "demo@example.test", "password": "${EDGE_PASSWORD}"}}
    write_config(git_repo, section)
    summary, outputs = git_repo / "summary.md", git_repo / "outputs.txt"
    env = {"EDGE_PASSWORD": SECRET, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(outputs)}
    result = invoke("--junit-xml", "r/edge.xml", "--json", "r/edge.json", env=env)
    assert result.exit_code == 1
    assert "edge.content.mixed-active" in result.output and "edge.cookie.secure" in result.output
    written = [result.output, (git_repo / "r/edge.xml").read_text(), (git_repo / "r/edge.json").read_text(),
               summary.read_text(), outputs.read_text()]
    for text in written:
        assert SECRET not in text
        assert COOKIE_VALUE not in text
    assert "cdn.test/x.js" in written[2] and "edge" in written[3]


def test_help_names_the_flags():
    result = CliRunner().invoke(cli, ["edge", "--help"])
    assert result.exit_code == 0
    for flag in ("--resolve", "--nameserver", "--ca-bundle", "--min-cert-days", "--junit-xml"):
        assert flag in result.output


def test_doc_examples_use_real_flags():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "edge.md").read_text(encoding="utf-8")
    help_text = CliRunner().invoke(cli, ["edge", "--help"]).output
    flags = {word.split("=")[0] for line in doc.splitlines() if line.startswith("gates edge")
             for word in line.split() if word.startswith("--")}
    assert flags, "docs/edge.md has no gates edge examples"
    assert {flag for flag in flags if flag not in help_text} == set()
