"""`gates deps` end to end through the CLI, offline against the small OSV database in tests/data."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from gates.cli import cli


def deps(*args: str) -> Result:
    return CliRunner().invoke(cli, ["deps", *args])


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())["gates"][0]
    return data


def findings(data: dict[str, Any], rule: str | None = None) -> list[dict[str, Any]]:
    return [f for c in data["checks"] for f in c["findings"] if rule is None or f["rule"] == rule]


def test_vulnerable_pin_blocks_with_id_and_fix(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("requests==2.19.0\njinja2==2.10\n")
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 1, result.output
    data = report(git_repo / "out.json")
    vulns = findings(data, "vulnerable-dependency")
    ids = sorted(f["message"].split(": ")[1].split(" ")[0] for f in vulns)
    # PYSEC-2018-28 and GHSA-x84v-xcm2-53pg are one bug: reported once, under the PYSEC id.
    assert ids == ["GHSA-j8r2-6x86-q33q", "PYSEC-2018-28", "PYSEC-2019-217"]
    requests_bug = next(f for f in vulns if "PYSEC-2018-28" in f["message"])
    assert "GHSA-x84v-xcm2-53pg" in requests_bug["message"] and "[high]" in requests_bug["message"]
    assert requests_bug["fix"].startswith("upgrade requests to 2.20.0 for PYSEC-2018-28")
    assert "2.31.0 fixes every known advisory" in requests_bug["fix"]
    assert requests_bug["location"]["path"] == "requirements.txt" and requests_bug["location"]["line"] == 1
    assert "upgrade jinja2 to 2.10.1" in next(f["fix"] for f in vulns if "PYSEC-2019-217" in f["message"])
    assert "PYSEC-2018-28" in result.output


def test_clean_pins_pass(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("requests==2.31.0\njinja2==2.10.1\nsix==1.16.0\n")
    result = deps("--db", str(osv_db))
    assert result.exit_code == 0, result.output


def test_withdrawn_record_is_ignored(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("urllib3==1.24\n")
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 0, result.output
    assert report(git_repo / "out.json")["metrics"]["db_withdrawn"] == 1


def test_range_edges_through_the_gate(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text(
        "edge-pkg==2.1\n"  # out-of-order events: affected
    )
    assert deps("--db", str(osv_db)).exit_code == 1
    for version, code in (("1.7", 0), ("3.2", 1), ("3.2.1", 0), ("0.5", 1), ("1!0.1", 0)):
        (git_repo / "requirements.txt").write_text(f"Edge.Pkg=={version}\n")
        assert deps("--db", str(osv_db)).exit_code == code, version


def test_git_only_range_never_matches(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("gitonly==0.1\n")
    assert deps("--db", str(osv_db)).exit_code == 0


def test_non_pep440_bound_is_a_counted_warning(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("badbound==3.0\n")
    result = deps("--db", str(osv_db), "--json", "out.json")
    data = report(git_repo / "out.json")
    assert data["metrics"]["invalid_versions"] == 1
    assert findings(data, "invalid-advisory-version")
    assert result.exit_code == 1  # the skipped `fixed` leaves its range open: fail closed


def test_npm_lockfile(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "frontend").mkdir()
    (git_repo / "frontend" / "package-lock.json").write_text(json.dumps({
        "lockfileVersion": 3, "packages": {"": {}, "node_modules/lodash": {"version": "4.17.11"},
                                           "node_modules/left-pad": {"version": "1.3.0", "dev": True}}}))
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 1, result.output
    data = report(git_repo / "out.json")
    assert [c["name"] for c in data["checks"]] == ["frontend/package-lock.json", "frontend/package-lock.json [dev]"]
    vuln = findings(data, "vulnerable-dependency")[0]
    assert "GHSA-jf85-cpcp-j695" in vuln["message"] and "[critical]" in vuln["message"]
    assert "upgrade lodash to 4.17.12" in vuln["fix"]


def test_poetry_lock_dev_group_reported_separately_and_no_dev(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "poetry.lock").write_text(
        '[[package]]\nname = "six"\nversion = "1.16.0"\ngroups = ["main"]\n\n'
        '[[package]]\nname = "jinja2"\nversion = "2.10"\ngroups = ["dev"]\n'
    )
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 1
    checks = {c["name"]: c["status"] for c in report(git_repo / "out.json")["checks"]}
    assert checks == {"poetry.lock": "passed", "poetry.lock [dev]": "failed"}
    assert deps("--db", str(osv_db), "--no-dev").exit_code == 0


def test_uv_lock(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "uv.lock").write_text(
        'version = 1\n[[package]]\nname = "app"\nversion = "0.1"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "requests" }]\n\n'
        '[[package]]\nname = "requests"\nversion = "2.25.0"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    result = deps("--db", str(osv_db))
    assert result.exit_code == 1 and "GHSA-j8r2-6x86-q33q" in result.output


def test_fail_on_threshold_and_unknown_severity(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("lowpkg==1.0\n")
    assert deps("--db", str(osv_db)).exit_code == 1
    result = deps("--db", str(osv_db), "--fail-on", "medium", "--json", "out.json")
    assert result.exit_code == 0
    assert findings(report(git_repo / "out.json"), "vulnerability-below-threshold")
    assert deps("--db", str(osv_db), "--fail-on", "medium", "--strict").exit_code == 1
    # jinja2's record has no severity at all: unknown blocks under any threshold.
    (git_repo / "requirements.txt").write_text("jinja2==2.10\n")
    assert deps("--db", str(osv_db), "--fail-on", "critical").exit_code == 1


def test_ignore_by_alias_with_expiry(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("jinja2==2.10\n")
    (git_repo / "gates.toml").write_text(
        '[deps]\n[[deps.ignore]]\nid = "CVE-2019-10906"\nreason = "sandbox unused"\nuntil = 2999-01-01\n'
    )
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 0, result.output
    assert "sandbox unused" in findings(report(git_repo / "out.json"), "ignored-vulnerability")[0]["message"]
    (git_repo / "gates.toml").write_text(
        '[deps]\n[[deps.ignore]]\nid = "GHSA-462w-v97r-4m45"\nreason = "sandbox unused"\nuntil = "2020-01-31"\n'
    )
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 1
    message = findings(report(git_repo / "out.json"), "vulnerable-dependency")[0]["message"]
    assert "expired on 2020-01-31" in message


def test_bad_ignore_config_is_exit_2(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("six==1.0\n")
    (git_repo / "gates.toml").write_text('[deps]\n[[deps.ignore]]\nid = "X"\nreason = "r"\nuntil = "soon"\n')
    result = deps("--db", str(osv_db))
    assert result.exit_code == 2 and "until" in result.output and "Traceback" not in result.output


def test_unpinned_is_a_warning_offline(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "requirements.txt").write_text("flask>=1.0\n")
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 0
    assert findings(report(git_repo / "out.json"), "unpinned-dependency")
    assert deps("--db", str(osv_db), "--strict").exit_code == 1


def test_database_as_zip_and_cached_index(git_repo: Path, osv_db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in osv_db.rglob("*.json"):
            zipped.write(file, file.name)
    (git_repo / "requirements.txt").write_text("requests==2.25.0\n")
    first = deps("--db", str(archive), "--json", "out.json")
    assert first.exit_code == 1
    assert report(git_repo / "out.json")["metrics"]["index"] == "built"
    deps("--db", str(archive), "--json", "out.json")
    assert report(git_repo / "out.json")["metrics"]["index"] == "cached"


def test_malformed_named_lockfile_is_exit_2_with_file_and_line(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "poetry.lock").write_text('[[package]]\nname = "x"\nversion = \n')
    result = deps("poetry.lock", "--db", str(osv_db))
    assert result.exit_code == 2
    assert "poetry.lock:3" in result.output and "Traceback" not in result.output


def test_malformed_detected_lockfile_is_exit_3_and_others_still_audited(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "Pipfile.lock").write_text("{ nope")
    (git_repo / "requirements.txt").write_text("jinja2==2.10.1\n")
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 3, result.output
    checks = {c["name"]: c["status"] for c in report(git_repo / "out.json")["checks"]}
    assert checks == {"Pipfile.lock": "error", "requirements.txt": "passed"}


def test_missing_database_is_exit_2(git_repo: Path) -> None:
    (git_repo / "requirements.txt").write_text("six==1.0\n")
    result = deps("--db", "no/such/db")
    assert result.exit_code == 2 and "no/such/db" in result.output


def test_corrupt_database_is_exit_3(git_repo: Path, osv_db: Path, tmp_path: Path) -> None:
    (git_repo / "requirements.txt").write_text("six==1.0\n")
    broken = tmp_path / "broken"
    shutil.copytree(osv_db, broken)
    (broken / "bad.json").write_text('{"id": "X", "affected": [')
    result = deps("--db", str(broken))
    assert result.exit_code == 3 and "bad.json" in result.output
    (tmp_path / "notazip.zip").write_bytes(b"garbage")
    assert deps("--db", str(tmp_path / "notazip.zip")).exit_code == 3


def test_nothing_to_audit_is_exit_2(git_repo: Path, osv_db: Path) -> None:
    result = deps("--db", str(osv_db))
    assert result.exit_code == 2 and "nothing to check" in result.output


def test_missing_named_file_is_exit_2(git_repo: Path, osv_db: Path) -> None:
    result = deps("nope.txt", "--db", str(osv_db))
    assert result.exit_code == 2 and "nope.txt" in result.output


def test_pipfile_and_pylock_through_the_gate(git_repo: Path, osv_db: Path) -> None:
    (git_repo / "Pipfile.lock").write_text(json.dumps({"default": {"six": {"version": "==1.16.0"}},
                                                       "develop": {"jinja2": {"version": "==2.10"}}}))
    (git_repo / "pylock.toml").write_text('lock-version = "1.0"\n[[packages]]\nname = "requests"\nversion = "2.25.0"\n')
    result = deps("Pipfile.lock", "pylock.toml", "--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 1
    checks = {c["name"]: c["status"] for c in report(git_repo / "out.json")["checks"]}
    assert checks == {"Pipfile.lock": "passed", "Pipfile.lock [dev]": "failed", "pylock.toml": "failed"}


def test_junit_output_validates_against_the_schema(git_repo: Path, osv_db: Path) -> None:
    from lxml import etree

    (git_repo / "requirements.txt").write_text("jinja2==2.10\nflask>=1\n")
    (git_repo / "Pipfile.lock").write_text("{ broken")
    (git_repo / "package-lock.json").write_text(json.dumps(
        {"lockfileVersion": 3, "packages": {"node_modules/lodash": {"version": "4.17.21", "dev": True}}}))
    result = deps("--db", str(osv_db), "--junit-xml", "junit.xml")
    assert result.exit_code == 1  # blocked beats could-not-evaluate
    root = etree.parse(str(git_repo / "junit.xml")).getroot()
    names = [(case.get("classname"), case.get("name")) for case in root.iter("testcase")]
    assert len(names) == len(set(names)) == 4
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
        case.attrib.pop("line", None)
    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parent.parent / "data" / "junit-10.xsd")))
    schema.assertValid(root)
