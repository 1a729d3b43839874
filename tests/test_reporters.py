from __future__ import annotations

import io
import json
from pathlib import Path

import junitparser
import pytest
from lxml import etree

from gates.report import Check, Report, Status
from gates.reporters import console, github, junit, markdown, sarif
from gates.reporters import json as json_reporter
from tests.samples import PLANTED, mixed_report, passing_report

XSD = Path(__file__).parent / "data" / "junit-10.xsd"


def validate_junit(text: str) -> etree._Element:
    root = etree.fromstring(text.encode("utf-8"))
    for case in root.iter("testcase"):  # file/line are kept for annotation readers; the XSD lacks them
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    schema.assertValid(root)
    return root


def test_junit_validates_and_reads_back(tmp_path: Path) -> None:
    text = junit.format([mixed_report(), passing_report()])
    root = validate_junit(text)
    assert set(root.attrib) == {"name", "time", "tests", "failures", "errors"}
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"gates.secrets", "gates.deps"}
    secrets = suites["gates.secrets"]
    assert (secrets.tests, secrets.failures, secrets.errors, secrets.skipped) == (4, 1, 1, 1)
    cases = {case.name: case for case in secrets}
    history = cases["history"]
    assert history.classname == "gates.secrets.history"
    failure = history.result[0]
    assert isinstance(failure, junitparser.Failure)
    assert failure.type == "aws-access-key"
    assert "commits_scanned=42" in failure.message
    assert isinstance(cases["logs"].result[0], junitparser.Error)
    assert isinstance(cases["dist"].result[0], junitparser.Skipped)
    assert cases["dist"].result[0].message == "no build output found"
    props = {p.name: p.value for p in secrets.properties()}
    assert props["history.commits_scanned"] == "42"
    raw = etree.fromstring(text.encode())
    case = raw.find(".//testcase[@name='history']")
    assert case is not None and case.get("file") == "config/settings.py" and case.get("line") == "12"


def test_junit_strips_control_characters_and_dedupes_names() -> None:
    report = Report("smoke", (Check("a\x1b[31mb\x00", Status.PASSED, output="x\x07y"), Check("same", Status.PASSED),
                              Check("same", Status.FAILED, message="boom")))
    text = junit.format([report])
    validate_junit(text)
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    names = [c.get("name") for c in etree.fromstring(text.encode()).iter("testcase")]
    assert len(names) == len(set(names)) == 3


def test_sarif_has_the_required_fields() -> None:
    document = json.loads(sarif.format([mixed_report()]))
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "launch-gates"
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert rule_ids == {"secrets/aws-access-key", "secrets/stripe-test-key"}
    result = run["results"][0]
    assert result["ruleId"] == "secrets/aws-access-key"
    assert result["level"] == "error"
    assert result["message"]["text"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "config/settings.py"
    assert location["region"]["startLine"] == 12
    assert run["results"][1]["level"] == "warning"


def test_sarif_fingerprints_survive_line_moves() -> None:
    first = json.loads(sarif.format([mixed_report()]))["runs"][0]["results"][0]
    moved = mixed_report()
    finding = moved.checks[0].findings[0]
    assert finding.location is not None
    from dataclasses import replace

    moved_finding = replace(finding, location=replace(finding.location, line=99))
    moved = replace(moved, checks=(replace(moved.checks[0], findings=(moved_finding,)),))
    second = json.loads(sarif.format([moved]))["runs"][0]["results"][0]
    assert first["partialFingerprints"] == second["partialFingerprints"]
    assert first["locations"] != second["locations"]


def test_json_shape() -> None:
    document = json.loads(json_reporter.format([mixed_report(), passing_report()]))
    assert document["version"] == 1
    assert document["status"] == "failed" and document["exit_code"] == 1
    gate = document["gates"][0]
    assert gate["gate"] == "secrets" and gate["exit_code"] == 1
    check = gate["checks"][0]
    assert set(check) == {"name", "group", "status", "duration_s", "message", "properties", "output", "findings"}
    finding = check["findings"][0]
    assert finding["location"] == {"path": "config/settings.py", "line": 12,
                                   "commit": "0123456789abcdef0123456789abcdef01234567"}


def test_github_annotations_escape_per_workflow_command_rules() -> None:
    assert github.escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert github.escape_property("a:b,c\n") == "a%3Ab%2Cc%0A"
    lines = github.annotation_lines([mixed_report()]).splitlines()
    assert lines[0].startswith("::error file=config/settings.py,line=12,title=secrets/aws-access-key::")
    assert any(line.startswith("::warning file=web/app.js,line=3") for line in lines)
    assert any(line.startswith("::error title=gates secrets::") and "could not check" in line for line in lines)


def test_github_outputs_are_multiline_safe(tmp_path: Path) -> None:
    out = tmp_path / "out"
    github.set_outputs({"result": "blocked", "failed_checks": "a\nb"}, {"GITHUB_OUTPUT": str(out)})
    text = out.read_text()
    assert text.startswith("result=blocked\n")
    header, _, rest = text.partition("failed_checks<<")
    delimiter = rest.split("\n", 1)[0]
    assert rest == f"{delimiter}\na\nb\n{delimiter}\n"


def test_github_publish_writes_summary_and_outputs(tmp_path: Path) -> None:
    env = {"GITHUB_OUTPUT": str(tmp_path / "o"), "GITHUB_STEP_SUMMARY": str(tmp_path / "s")}
    github.publish([mixed_report()], {"result": "blocked"}, env)
    summary = (tmp_path / "s").read_text()
    assert "| secrets | history | ❌ failed |" in summary
    assert "How to fix" in summary
    assert (tmp_path / "o").read_text() == "result=blocked\n"


def test_console_table_and_quiet_mode() -> None:
    stream = io.StringIO()
    console.render([mixed_report()], console.make_console(stream))
    text = stream.getvalue()
    assert "FAIL" in text and "history" in text and "commits_scanned=42" in text
    assert "gates secrets: BLOCKED" in text
    quiet = io.StringIO()
    console.render([passing_report()], console.make_console(quiet), quiet=True)
    assert quiet.getvalue() == ""
    quiet_fail = io.StringIO()
    console.render([mixed_report()], console.make_console(quiet_fail), quiet=True)
    assert "history" in quiet_fail.getvalue() and "staged" not in quiet_fail.getvalue()


def test_markdown_escapes_pipes() -> None:
    report = Report("smoke", (Check("a|b", Status.FAILED, message="x|y"),))
    assert "a\\|b" in markdown.format([report])


@pytest.mark.parametrize("render", ["junit", "sarif", "json", "markdown", "github", "console"])
def test_no_reporter_writes_a_planted_secret(render: str) -> None:
    report = mixed_report()
    # The same secret also hides where no pattern would find it: as a registered secret.
    opaque = "zq9-opaque-secret-value"
    from dataclasses import replace

    report = replace(report, secrets=report.secrets | {opaque},
                     checks=(replace(report.checks[0], output=f"{report.checks[0].output} {opaque}"),
                             *report.checks[1:]))
    if render == "console":
        stream = io.StringIO()
        console.render([report], console.make_console(stream))
        text = stream.getvalue()
    elif render == "github":
        text = github.annotation_lines([report])
    else:
        module = {"junit": junit, "sarif": sarif, "json": json_reporter, "markdown": markdown}[render]
        text = module.format([report])
    assert PLANTED not in text and PLANTED[4:] not in text
    assert opaque not in text


def test_junit_times_are_surefire_numbers_and_the_file_has_no_disabled_attribute(tmp_path: Path) -> None:
    report = Report("smoke", (Check("tiny", Status.PASSED, 1e-5), Check("tiny2", Status.PASSED, 2e-5),
                              Check("neg", Status.PASSED, -0.5), Check("nan", Status.PASSED, float("nan"))))
    text = junit.format([report])
    root = validate_junit(text)
    times = [e.get("time") for e in root.iter() if e.get("time") is not None]
    assert times and all("e" not in t and "-" not in t and "n" not in t for t in times), times
    assert "disabled" not in text
    path = tmp_path / "j.xml"
    path.write_text(text, encoding="utf-8")
    assert junitparser.JUnitXml.fromfile(str(path)).time >= 0


def test_junit_awkward_names_text_and_gates(tmp_path: Path) -> None:
    long_name = "n" * 5000
    checks = (
        Check("line one\nline two\r\n", Status.FAILED, message="bad ]]> end", output="ünïcødé ✓ ]]> <x/> &amp;"),
        Check(long_name, Status.PASSED),
        Check("dup", Status.PASSED), Check("dup", Status.PASSED),
    )
    text = junit.format([Report("my.dotted.gate", checks), Report("empty", ())])
    root = validate_junit(text)
    cases = list(root.iter("testcase"))
    assert cases[0].get("name") == "line one line two"
    assert len(cases[1].get("name") or "") <= 300
    assert cases[0].find("system-out").text == "ünïcødé ✓ ]]> <x/> &amp;"  # type: ignore[union-attr]
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == 4
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["gates.empty"].get("tests") == "0" and suites["gates.my.dotted.gate"].get("tests") == "4"
    path = tmp_path / "j.xml"
    path.write_text(text, encoding="utf-8")
    assert [s.name for s in junitparser.JUnitXml.fromfile(str(path))] == ["gates.my.dotted.gate", "gates.empty"]


def test_junit_caps_a_huge_output() -> None:
    big = "x" * (2 * 1024 * 1024)
    report = Report("smoke", tuple(Check(f"c{i}", Status.FAILED, output=big, message="m") for i in range(8)))
    text = junit.format([report])
    assert len(text.encode()) < 10 * 1024 * 1024
    validate_junit(text)
    assert "more characters not shown" in text


def test_sarif_uris_regions_security_and_redaction() -> None:
    from gates.report import Finding, Location, Severity

    opaque = "zq9-opaque-secret-value"
    findings = (
        Finding("k", "m", Severity.ERROR, Location("dir with space/café#1.py", 0, opaque, 0)),
        Finding("k", "", Severity.WARNING, Location(".\\win\\path.py", 3, None, -1)),
    )
    report = Report("secrets", (Check("c", Status.FAILED, findings=findings),), secrets=frozenset({opaque}))
    text = sarif.format([report])
    assert opaque not in text
    run = json.loads(text)["runs"][0]
    first, second = run["results"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/caf%C3%A9%231.py"
    assert "region" not in first["locations"][0]["physicalLocation"]
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "win/path.py"
    assert second["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert second["message"]["text"]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["help"]["text"] and rule["properties"]["tags"] == ["security"]
    assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0


def test_sarif_caps_results_at_githubs_limit() -> None:
    from gates.report import Finding, Location, Severity

    findings = tuple(Finding("r", f"m{i}", Severity.WARNING, Location("a.py", i + 1)) for i in range(25_001))
    worst = Finding("r", "worst", Severity.ERROR, Location("a.py", 1))
    report = Report("smoke", (Check("c", Status.FAILED, findings=(*findings, worst)),))
    results = json.loads(sarif.format([report]))["runs"][0]["results"]
    assert len(results) == sarif.MAX_RESULTS and results[0]["message"]["text"] == "worst"


def test_github_step_summary_stays_under_one_mib(tmp_path: Path) -> None:
    checks = tuple(Check(f"check-{i}-" + "x" * 150, Status.FAILED, message="y" * 190) for i in range(4000))
    summary = tmp_path / "s"
    summary.write_text("earlier step output\n", encoding="utf-8")
    github.append_step_summary([Report("smoke", checks)], {"GITHUB_STEP_SUMMARY": str(summary)})
    data = summary.read_bytes()
    assert len(data) <= github.MAX_STEP_SUMMARY_BYTES
    assert data.startswith(b"earlier step output\n") and b"1 MiB step-summary limit" in data


def test_console_survives_an_ascii_stdout_and_a_narrow_terminal() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    console.render([mixed_report()], console.make_console(stream))
    stream.flush()
    assert b"history" in raw.getvalue()
    narrow = io.StringIO()
    from rich.console import Console

    console.render([mixed_report()], Console(file=narrow, width=20))
    assert "AKIAIOSFODNN7ABCDEFG" not in narrow.getvalue() and narrow.getvalue()


OPAQUE = "zq9-opaque-secret-value"


def everywhere_report() -> Report:
    """A secret planted in every string field of Finding, Check and Report (names, keys and all)."""
    from gates.report import Finding, Location, Severity

    s = OPAQUE
    finding = Finding(f"rule-{s}", f"msg {s} {PLANTED}", Severity.ERROR, Location(f"src/{s}.py", 4, f"c{s}"),
                      evidence=f"ev {s}", fix=f"fix {s}")
    warn = Finding(f"w-{s}", f"w {s}", Severity.WARNING, Location(f"w/{s}.py", 2), fix=f"wfix {s}")
    checks = (
        Check(f"name {s}", Status.FAILED, 0.1, (finding, warn), {f"key_{s}": f"value {s}", "n": 1},
              output=f"out {s}", group=f"group-{s}"),
        Check(f"err {s}", Status.ERROR, message=f"why {s}", group=f"g-{s}"),
        Check(f"skip {s}", Status.SKIPPED, message=f"skip {s}"),
    )
    return Report(f"gate-{s}", checks, 0.1, {f"metric_{s}": f"mval {s}"}, secrets=frozenset({s}))


@pytest.mark.parametrize("render", ["junit", "sarif", "json", "markdown", "github", "console", "html"])
def test_a_secret_planted_in_every_field_reaches_no_reporter(render: str, tmp_path: Path) -> None:
    from gates.reporters import html

    report = everywhere_report()
    if render == "console":
        stream = io.StringIO()
        console.render([report], console.make_console(stream))
        text = stream.getvalue()
    elif render == "github":
        env = {"GITHUB_OUTPUT": str(tmp_path / "o"), "GITHUB_STEP_SUMMARY": str(tmp_path / "s")}
        text = github.publish([report], {"result": f"blocked {OPAQUE}", "junit": f"a\n{OPAQUE}"}, env)
        text += (tmp_path / "o").read_text() + (tmp_path / "s").read_text()
    else:
        module = {"junit": junit, "sarif": sarif, "json": json_reporter, "markdown": markdown, "html": html}[render]
        text = module.format([report])
    assert "name" in text or "rule" in text  # rendered something
    assert OPAQUE not in text and PLANTED not in text


def runner_parse(line: str) -> tuple[str, dict[str, str], str] | None:
    """The runner's v2 workflow-command parse (actions/runner ActionCommand.TryParseV2), restated for the test."""
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info, data = line[2:end], line[end + 2:]
    name, _, props_text = info.partition(" ")

    def unescape(text: str, mapping: tuple[tuple[str, str], ...]) -> str:
        for escaped, token in mapping:
            text = text.replace(escaped, token)
        return text

    data_map = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
    prop_map = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
    props = {}
    for pair in filter(None, props_text.strip().split(",")):
        key, eq, value = pair.partition("=")
        if eq and key and value:
            props[key] = unescape(value, prop_map)
    return name, props, unescape(data, data_map)


def test_annotations_round_trip_through_the_runners_parser() -> None:
    from gates.report import Finding, Location, Severity

    nasty = "50% done, a:b %3A %0A %25 ::x"
    finding = Finding("r,1:x", f"{nasty}\r\nsecond line", Severity.ERROR, Location("dir, x/a:b.py", 7))
    lines = github.annotation_lines([Report("smoke", (Check("c", Status.FAILED, findings=(finding,)),))])
    assert lines.count("\n") == 1
    parsed = runner_parse(lines.splitlines()[0])
    assert parsed is not None
    name, props, data = parsed
    assert name == "error"
    assert props == {"file": "dir, x/a:b.py", "line": "7", "title": "smoke/r,1:x"}
    assert data == f"{nasty}\r\nsecond line"


def test_console_prints_no_line_the_runner_would_read_as_a_command() -> None:
    from gates.report import Finding, Location, Severity

    finding = Finding("r", "m", Severity.ERROR, Location("a.py", 1), fix="do this\n::warning::injected")
    report = Report("smoke\n::error::gate", (Check("c\n::error::name", Status.FAILED, findings=(finding,),
                                                   message="x\n::error::msg"),))
    stream = io.StringIO()
    console.render([report], console.make_console(stream))
    assert stream.getvalue().strip()
    assert not [line for line in stream.getvalue().splitlines() if runner_parse(line)]


def test_console_colour_follows_no_color_and_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    forced = io.StringIO()
    console.render([mixed_report()], console.make_console(forced))
    assert "\x1b[" in forced.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = io.StringIO()
    console.render([mixed_report()], console.make_console(plain))
    assert "\x1b[3" not in plain.getvalue() and "\x1b[9" not in plain.getvalue()
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.delenv("NO_COLOR")
    piped = io.StringIO()
    console.render([mixed_report()], console.make_console(piped))
    assert "\x1b[" not in piped.getvalue()


def assert_sarif_21_shape(document: dict[str, object]) -> None:
    """The SARIF 2.1.0 schema's required properties and value rules, checked by hand (no schema ships offline)."""
    import re

    assert document["version"] == "2.1.0" and isinstance(document["runs"], list)
    for run in document["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rule_ids = [rule["id"] for rule in driver["rules"]]
        assert len(rule_ids) == len(set(rule_ids))
        for rule in driver["rules"]:
            assert rule["shortDescription"]["text"] and rule["help"]["text"]
            assert rule["defaultConfiguration"]["level"] in {"none", "note", "warning", "error"}
            props = rule.get("properties", {})
            if "security-severity" in props:
                assert isinstance(props["security-severity"], str)
                assert 0.0 <= float(props["security-severity"]) <= 10.0 and "security" in props["tags"]
        for result in run["results"]:
            assert result["ruleId"] in rule_ids
            assert result["level"] in {"none", "note", "warning", "error"}
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            assert all(isinstance(v, str) for v in result["partialFingerprints"].values())
            for location in result["locations"]:
                physical = location["physicalLocation"]
                uri = physical["artifactLocation"]["uri"]
                assert re.fullmatch(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+", uri), uri
                assert not uri.startswith("/") and "\\" not in uri
                region = physical.get("region", {})
                assert region.get("startLine", 1) >= 1 and region.get("startColumn", 1) >= 1


def test_sarif_meets_the_21_schema_rules_for_every_sample() -> None:
    for reports in ([mixed_report()], [everywhere_report()], [mixed_report(), passing_report()], []):
        assert_sarif_21_shape(json.loads(sarif.format(reports)))


def test_sarif_fingerprints_are_stable_across_runs() -> None:
    first = [r["partialFingerprints"] for r in json.loads(sarif.format([everywhere_report()]))["runs"][0]["results"]]
    again = [r["partialFingerprints"] for r in json.loads(sarif.format([everywhere_report()]))["runs"][0]["results"]]
    assert first == again and len({tuple(f.values()) for f in first}) == len(first)


def test_console_never_prints_a_legacy_runner_command() -> None:
    from gates.report import Finding, Location, Severity

    finding = Finding("r", "m", Severity.ERROR, Location("a.py", 1), fix="x ##[stop-commands]tok")
    report = Report("g", (Check("##[add-mask]name", Status.FAILED, findings=(finding,), message="##[error]msg"),
                          Check("b", Status.PASSED, properties={"##[debug]k": "v"})))
    stream = io.StringIO()
    console.render([report, passing_report()], console.make_console(stream))
    assert "##[" not in stream.getvalue() and "name" in stream.getvalue()


def test_annotations_use_repo_paths_and_positive_lines() -> None:
    from gates.report import Finding, Location, Severity

    findings = (Finding("r", "m", Severity.ERROR, Location(".\\src\\a.py", 0)),
                Finding("r", "m", Severity.ERROR, Location("./b.py", -3)))
    lines = github.annotation_lines([Report("g", (Check("c", Status.FAILED, findings=findings),))]).splitlines()
    assert lines[0].startswith("::error file=src/a.py,title=") and lines[1].startswith("::error file=b.py,title=")


def test_every_junit_testcase_has_a_time_dorny_can_parse() -> None:
    root = validate_junit(junit.format([mixed_report(), Report("empty", ())]))
    for element in (root, *root.iter("testsuite"), *root.iter("testcase")):
        value = element.get("time")
        assert value is not None and float(value) >= 0, element.attrib


def test_junit_names_are_unique_within_a_suite_across_groups() -> None:
    report = Report("smoke", (Check("config", Status.PASSED, group="a"), Check("config", Status.FAILED, group="b",
                                                                               message="x")))
    names = [c.get("name") for c in validate_junit(junit.format([report])).iter("testcase")]
    assert len(set(names)) == 2 and names[0] == "config"


def test_junit_outcomes_carry_text_and_output_links_no_gitlab_attachment() -> None:
    report = Report("smoke", (Check("f", Status.FAILED, message="boom", output="see [[ATTACHMENT|/etc/passwd]]"),
                              Check("e", Status.ERROR, message="dns timeout"), Check("s", Status.SKIPPED)))
    root = validate_junit(junit.format([report]))
    outcomes = [el for tag in ("failure", "error", "skipped") for el in root.iter(tag)]
    assert len(outcomes) == 3 and all((el.text or "").strip() for el in outcomes)
    assert "[[ATTACHMENT|" not in junit.format([report])


def test_json_is_strict_json_with_non_finite_figures() -> None:
    report = Report("timing", (Check("p95", Status.PASSED, float("nan"), properties={"p95_ms": float("inf")}),),
                    float("nan"), {"rps": float("-inf")})
    text = json_reporter.format([report])

    def refuse(word: str) -> None:
        raise ValueError(word)

    document = json.loads(text, parse_constant=refuse)
    gate = document["gates"][0]
    assert gate["metrics"] == {"rps": None} and gate["checks"][0]["properties"] == {"p95_ms": None}
