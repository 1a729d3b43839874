"""The email gate's JUnit output: valid against the Jenkins XSD, read back by junitparser, one case per
domain and record family, failures typed by rule, could-not-check as <error>, unpublished as <skipped>."""

from __future__ import annotations

from pathlib import Path

import junitparser
from lxml import etree

from gates.email import Options, run
from gates.reporters import junit
from tests.servers.dns_server import DNSServer

XSD = Path(__file__).resolve().parents[1] / "data" / "junit-10.xsd"


def test_junit_validates_and_reads_back(tmp_path: Path, zone_text: str) -> None:
    with DNSServer(zone_text, faults={"_dmarc.eleven.test": "servfail"}) as server:
        report = run(Options(("good.test", "eleven.test"), ("s1",), nameservers=(server.nameserver,), timeout_s=2,
                             mta_sts_fetch=False))
    text = junit.format([report])
    root = etree.fromstring(text.encode())
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    suite = next(iter(junitparser.JUnitXml.fromfile(str(path))))
    assert suite.name == "gates.email"
    cases = {(case.classname, case.name): case for case in suite}
    assert len(cases) == 12
    spf = cases[("gates.email.spf", "eleven.test spf")]
    assert isinstance(spf.result[0], junitparser.Failure) and spf.result[0].type == "spf-lookup-limit"
    assert "[11] include:" in (spf.system_out or "")
    assert isinstance(cases[("gates.email.dmarc", "eleven.test dmarc")].result[0], junitparser.Error)
    assert not cases[("gates.email.spf", "good.test spf")].result
    assert isinstance(cases[("gates.email.tls-rpt", "eleven.test tls-rpt")].result[0], junitparser.Skipped)
