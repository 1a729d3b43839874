"""The smoke gate's JUnit: valid against the Jenkins XSD, one testcase per check, the rollback its own testcase."""

from __future__ import annotations

from pathlib import Path

import junitparser
from lxml import etree

from tests.servers.http_app import Server
from tests.smoke.helpers import cli, key, rollback_cmd, write_config

XSD = Path(__file__).resolve().parents[1] / "data" / "junit-10.xsd"


def test_junit_is_valid_and_lists_every_attempt(app: Server, git_repo: Path, rollback_script: Path) -> None:
    write_config(git_repo, f"""
[smoke]
base_url = "{app.url}"
backoff = "10ms"
rollback = "{rollback_cmd(rollback_script, git_repo / 'marker')}"
[[smoke.checks]]
name = "flaky"
path = "/flaky/{key()}?fails=1"
[[smoke.checks]]
name = "broken"
path = "/error"
""")
    result = cli(["smoke", "--junit-xml", "junit.xml"])
    assert result.exit_code == 1
    root = etree.parse(str(git_repo / "junit.xml")).getroot()
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    suite = next(iter(junitparser.JUnitXml.fromfile(str(git_repo / "junit.xml"))))
    cases = {(case.classname, case.name): case for case in suite}
    assert set(cases) == {("gates.smoke.checks", "flaky"), ("gates.smoke.checks", "broken"),
                          ("gates.smoke.rollback", "rollback")}
    flaky = cases[("gates.smoke.checks", "flaky")]
    assert flaky.is_passed and "attempt 1: status 503" in (flaky.system_out or "")
    assert not cases[("gates.smoke.checks", "broken")].is_passed
