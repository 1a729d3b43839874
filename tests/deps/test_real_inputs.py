"""What real projects and the real OSV database contain, found in review: each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gates.cli import cli
from gates.deps.audit import audit
from gates.deps.model import NPM, PYPI, Affected, Dependency, Event, Range
from gates.deps.osv.cvss import base_score_v2
from gates.deps.osv.database import open_database
from gates.deps.osv.evaluate import Stats, is_affected
from gates.deps.osv.records import advisory_from_record
from gates.deps.readers import ParseError, read


def deps(*args: str) -> Result:
    return CliRunner().invoke(cli, ["deps", *args])


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def by_name(path: Path) -> dict[str, Dependency]:
    return {d.name: d for d in read(path, path.name).dependencies}


def all_findings(out: Path) -> list[dict[str, Any]]:
    data = json.loads(out.read_text())["gates"][0]
    return [f for c in data["checks"] for f in c["findings"]]


# --- encodings ---------------------------------------------------------------------------------------

BOM = b"\xef\xbb\xbf"


def test_bom_is_read_in_requirements_toml_and_json(tmp_path: Path) -> None:
    # Windows editors (and PowerShell's `pip freeze > requirements.txt`) write a BOM.
    req = write(tmp_path / "requirements.txt", BOM + b"requests==2.19.0\r\nsix==1.16.0\r\n")
    assert by_name(req)["requests"].version == "2.19.0"
    lock = write(tmp_path / "poetry.lock", BOM + b'[[package]]\r\nname = "six"\r\nversion = "1.16.0"\r\n')
    assert by_name(lock)["six"].version == "1.16.0"
    npm = write(tmp_path / "package-lock.json",
                BOM + json.dumps({"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}}}).encode())
    assert by_name(npm)["a"].version == "1.0.0"


def test_utf16_with_bom_is_read_like_pip_does(tmp_path: Path) -> None:
    # Windows PowerShell 5 writes `pip freeze > requirements.txt` as UTF-16 LE with a BOM.
    req = write(tmp_path / "requirements.txt", "requests==2.19.0\r\nsix==1.16.0\r\n".encode("utf-16"))
    assert {d.name: d.version for d in read(req, "requirements.txt").dependencies} == {
        "requests": "2.19.0", "six": "1.16.0"}


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt", b"six==1.16.0\n# caf\xe9\n")
    with pytest.raises(ParseError) as caught:
        read(req, "requirements.txt")
    assert caught.value.line == 2 and "requirements.txt:2" in str(caught.value)


def test_empty_files(tmp_path: Path) -> None:
    assert read(write(tmp_path / "requirements.txt", ""), "requirements.txt").dependencies == []
    assert read(write(tmp_path / "poetry.lock", ""), "poetry.lock").dependencies == []
    with pytest.raises(ParseError, match="package-lock.json:1: empty file"):
        read(write(tmp_path / "package-lock.json", "\n"), "package-lock.json")


def test_crlf_hash_continuations(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt",
                "requests==2.19.0 \\\r\n    --hash=sha256:aa \\\r\n    --hash=sha256:bb\r\nsix==1.16.0\r\n")
    found = by_name(req)
    assert (found["requests"].version, found["requests"].line) == ("2.19.0", 1)
    assert (found["six"].version, found["six"].line) == ("1.16.0", 4)


# --- requirements -----------------------------------------------------------------------------------

def test_bare_urls_and_paths_are_requirements_pip_accepts(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt",
                "./vendored/mypkg\n"
                "git+https://github.com/org/tool.git@v1.2#egg=tool\n"
                "https://files.example/wheelpkg-1.0-py3-none-any.whl\n"
                "-e .\n"
                "-e git+https://github.com/org/lib.git#egg=lib\n")
    found = by_name(req)
    assert found["mypkg"].skip_reason == "local path" and found["mypkg"].local
    assert found["tool"].skip_reason == "direct URL reference" and not found["tool"].local
    assert found["wheelpkg"].skip_reason == "direct URL reference"
    assert found["."].local
    assert not found["lib"].local


def test_remote_sources_are_warnings_never_a_silent_pass(git_repo: Path, osv_db: Path) -> None:
    write(git_repo / "requirements.txt",
          "-e .\nsix==1.16.0\ntool @ git+https://github.com/org/tool.git@v1\n")
    result = deps("--db", str(osv_db), "--json", "out.json")
    assert result.exit_code == 0, result.output
    severities = {f["message"].split(":")[0]: f["severity"] for f in all_findings(git_repo / "out.json")
                  if f["rule"] == "not-auditable"}
    assert severities == {".": "info", "tool": "warning"}
    assert deps("--db", str(osv_db), "--strict").exit_code == 1


def test_exact_pin_beside_other_clauses_is_a_pin_and_wildcard_is_not(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt", "requests>=2.0,==2.19.0\nsix==1.*\njinja2===2.10\n")
    found = by_name(req)
    assert found["requests"].version == "2.19.0"
    assert found["six"].version is None
    assert found["jinja2"].version == "2.10"


# --- package-lock.json ------------------------------------------------------------------------------

def test_npm_v1_alias_git_and_file_entries(tmp_path: Path) -> None:
    lock = write(tmp_path / "package-lock.json", json.dumps({"lockfileVersion": 1, "dependencies": {
        "old-lodash": {"version": "npm:lodash@4.17.11"},
        "@scope/tool": {"version": "github:org/tool#abc123"},
        "local": {"version": "file:../local"},
        "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0", "dev": True}}},
    }}, indent=2))
    found = by_name(lock)
    assert (found["lodash"].version, found["lodash"].ecosystem) == ("4.17.11", NPM)
    assert found["@scope/tool"].skip_reason and not found["@scope/tool"].local
    assert found["local"].local
    assert found["b"].dev and found["b"].line is not None
    assert '"b": {' in lock.read_text().splitlines()[found["b"].line - 1]


def test_npm_v1_alias_is_audited_as_the_real_package(git_repo: Path, osv_db: Path) -> None:
    write(git_repo / "package-lock.json", json.dumps(
        {"lockfileVersion": 1, "dependencies": {"old-lodash": {"version": "npm:lodash@4.17.11"}}}))
    result = deps("--db", str(osv_db))
    assert result.exit_code == 1 and "GHSA-jf85-cpcp-j695" in result.output


def test_npm_v3_git_resolved_is_not_auditable(tmp_path: Path) -> None:
    lock = write(tmp_path / "package-lock.json", json.dumps({"lockfileVersion": 3, "packages": {
        "": {"name": "app"},
        "node_modules/tool": {"version": "1.0.0", "resolved": "git+ssh://git@github.com/org/tool.git#abc"},
        "node_modules/a/node_modules/b": {"version": "2.0.0", "devOptional": True},
        "node_modules/ws": {"resolved": "packages/ws", "link": True},
        "packages/ws": {"name": "ws", "version": "0.0.1"},
    }}, indent=2))
    found = by_name(lock)
    assert found["tool"].version is None and found["tool"].skip_reason == "git source"
    assert found["b"].version == "2.0.0" and not found["b"].dev and found["b"].line is not None
    assert '"node_modules/a/node_modules/b": {' in lock.read_text().splitlines()[found["b"].line - 1]
    assert "ws" not in found


def test_20_mb_package_lock_reads_in_one_pass(tmp_path: Path) -> None:
    # Each entry's line used to be found by searching the whole text again: minutes for 20 MB.
    packages: dict[str, Any] = {"": {"name": "app", "version": "1.0.0"}}
    for i in range(40000):
        packages[f"node_modules/pkg{i}"] = {
            "version": f"1.{i % 50}.0", "resolved": f"https://registry.npmjs.org/pkg{i}/-/pkg{i}-1.0.0.tgz",
            "integrity": "sha512-" + "A" * 88, "dev": i % 3 == 0,
            "dependencies": {f"pkg{j}": "^1.0.0" for j in range(i, i + 5)}, "license": "MIT"}
    lock = write(tmp_path / "package-lock.json", json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2))
    assert lock.stat().st_size > 19_000_000
    manifest = read(lock, "package-lock.json")
    assert len(manifest.dependencies) == 40000
    last = manifest.dependencies[-1]
    text = lock.read_text().splitlines()
    assert last.line is not None and '"node_modules/pkg39999": {' in text[last.line - 1]


# --- OSV records ------------------------------------------------------------------------------------

def record(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "TEST-1", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "pkg"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}
    base.update(extra)
    return base


def test_cvss_v2_is_scored_and_v4_is_not_mistaken_for_v3() -> None:
    assert base_score_v2("AV:N/AC:L/Au:N/C:P/I:P/A:P") == 7.5
    assert base_score_v2("AV:N/AC:M/Au:N/C:N/I:P/A:N") == 4.3
    v2 = record(severity=[{"type": "CVSS_V2", "score": "AV:N/AC:M/Au:N/C:N/I:P/A:N"}])
    assert advisory_from_record(v2).severity == "medium"
    v4 = [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]
    assert advisory_from_record(record(severity=v4)).severity is None  # unknown: blocks
    graded = record(severity=v4, database_specific={"severity": "MODERATE"})
    assert advisory_from_record(graded).severity == "medium"
    odd = record(severity=[{"type": "Ubuntu", "score": "high"}, {"type": "CVSS_V3", "score": 7}])
    assert advisory_from_record(odd).severity is None


def test_severity_inside_an_affected_entry_counts() -> None:
    raw = record()
    raw["affected"][0]["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}]
    assert advisory_from_record(raw).severity == "medium"


def test_other_ecosystems_and_package_less_entries_are_skipped() -> None:
    raw = record()
    raw["affected"] += [
        {"package": {"ecosystem": "Debian:12", "name": "python-pkg"}, "versions": ["1.0"]},
        {"ranges": [{"type": "GIT", "repo": "https://github.com/o/r", "events": [{"introduced": "0"}]}]},
        {"package": "not an object"},
    ]
    advisory = advisory_from_record(raw)
    assert [(a.ecosystem, a.name) for a in advisory.affected] == [(PYPI, "pkg")]


def test_limit_star_is_no_limit_not_an_invalid_version() -> None:
    entry = Affected(PYPI, "pkg", (Range("ECOSYSTEM", (Event("introduced", "1.0"), Event("limit", "*"))),))
    stats = Stats()
    assert is_affected("5.0", entry, stats)
    assert stats.invalid_versions == 0


def test_listed_version_matches_its_local_build() -> None:
    raw = {"id": "T", "affected": [{"package": {"ecosystem": "PyPI", "name": "torch"}, "versions": ["2.0.0"]}]}
    entry = advisory_from_record(raw).affected[0]
    assert is_affected("2.0.0+cu118", entry, Stats())
    assert not is_affected("2.0.1+cu118", entry, Stats())


def test_related_is_not_an_alias(tmp_path: Path) -> None:
    db = tmp_path / "db"
    write(db / "A.json", json.dumps(record(id="PYSEC-1", aliases=["CVE-1"], related=["GHSA-2"])))
    write(db / "B.json", json.dumps(record(id="GHSA-2", aliases=["CVE-2"], upstream=["CVE-1"])))
    write(db / "C.json", json.dumps(record(id="GHSA-3", aliases=["CVE-1"])))
    database = open_database(db, None)
    try:
        found = audit([Dependency("pkg", "1.0", PYPI, "r.txt")], database, Stats())
    finally:
        database.close()
    ids = sorted((v.id, v.aliases) for v in next(iter(found.values())))
    assert ids == [("GHSA-2", ("CVE-2",)), ("PYSEC-1", ("CVE-1", "GHSA-3"))]


# --- online (pip-audit against a loopback OSV endpoint) ---------------------------------------------

def test_online_pin_spelled_unnormalized_is_matched_and_arbitrary_pin_kept_out(git_repo: Path, osv_db: Path) -> None:
    from gates.deps.osv.server import serve

    # pip-audit reports "2.19.0" for the pin "2.19.00"; an `===` string it cannot read would make it
    # reject the whole file, so that pin is reported as not audited and the rest still are.
    write(git_repo / "requirements.txt", "requests==2.19.00\nsix===1.16.0-custom-build\n")
    with serve(osv_db) as url:
        result = deps("--osv-url", url, "--json", "out.json")
    assert result.exit_code == 1, result.output
    check = json.loads((git_repo / "out.json").read_text())["gates"][0]["checks"][0]
    assert "PYSEC-2018-28" in json.dumps(check["findings"])
    assert "six 1.16.0-custom-build (not a PEP 440 version)" in check["output"]
    assert "requests" not in check["output"]


def test_introduced_and_last_affected_at_one_version_is_that_version_only() -> None:
    # A single bad release: the close-before-open tie rule used to read it as "every version from X on".
    events = (Event("introduced", "1.2.3"), Event("last_affected", "1.2.3"))
    entry = Affected(PYPI, "pkg", (Range("ECOSYSTEM", events),))
    assert is_affected("1.2.3", entry, Stats())
    assert not is_affected("1.2.4", entry, Stats())
    assert not is_affected("9.0", entry, Stats())
    assert not is_affected("1.2.2", entry, Stats())


# --- lockfile shapes real tools write ---------------------------------------------------------------

def test_poetry_1x_lock_with_category_and_sources(tmp_path: Path) -> None:
    lock = write(tmp_path / "poetry.lock", """[[package]]
name = "Requests"
version = "2.19.0"
category = "main"
optional = false
python-versions = "*"

[[package]]
name = "pytest"
version = "7.0.0"
category = "dev"
optional = false
python-versions = "*"

[[package]]
name = "mylib"
version = "0.1.0"
category = "main"
optional = false
python-versions = "*"
develop = true

[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "gitpkg"
version = "1.0"
category = "main"
optional = false
python-versions = "*"

[package.source]
type = "git"
url = "https://github.com/o/gitpkg.git"
reference = "main"
resolved_reference = "abc"

[metadata]
lock-version = "1.1"
python-versions = "^3.8"
content-hash = "x"

[metadata.files]
requests = [{file = "requests-2.19.0.tar.gz", hash = "sha256:x"}]
""")
    found = by_name(lock)
    assert (found["Requests"].version, found["Requests"].dev, found["Requests"].key) == ("2.19.0", False, "requests")
    assert found["pytest"].dev
    assert found["mylib"].skip_reason == "directory source" and found["mylib"].local
    assert found["gitpkg"].skip_reason == "git source" and not found["gitpkg"].local


def test_pipfile_lock_editable_and_git_entries(tmp_path: Path) -> None:
    lock = write(tmp_path / "Pipfile.lock", json.dumps({
        "_meta": {"pipfile-spec": 6, "sources": [{"name": "pypi", "url": "https://pypi.org/simple"}]},
        "default": {"requests": {"hashes": ["sha256:x"], "markers": "python_version >= '3.7'", "version": "==2.19.0"},
                    "mypkg": {"editable": True, "path": "."},
                    "gitpkg": {"git": "https://github.com/o/g.git", "ref": "abc"}},
        "develop": {"pytest": {"hashes": [], "version": "==7.0.0"}}}, indent=4))
    found = by_name(lock)
    assert found["requests"].version == "2.19.0" and found["pytest"].dev
    assert found["mypkg"].local and not found["gitpkg"].local and found["gitpkg"].skip_reason


def test_pylock_vcs_and_directory_packages(tmp_path: Path) -> None:
    lock = write(tmp_path / "pylock.toml", """lock-version = "1.0"
requires-python = ">=3.9"
dependency-groups = ["dev"]
default-groups = []
created-by = "pdm"

[[packages]]
name = "Requests"
version = "2.19.0"
index = "https://pypi.org/simple"
sdist = {name = "requests-2.19.0.tar.gz", url = "https://x", hashes = {sha256 = "x"}}

[[packages]]
name = "attrs"
[packages.vcs]
type = "git"
url = "https://github.com/python-attrs/attrs"
commit-id = "abc"

[[packages]]
name = "local"
[packages.directory]
path = "./local"
editable = true
""")
    found = by_name(lock)
    assert found["Requests"].version == "2.19.0"
    assert found["attrs"].version is None and found["attrs"].skip_reason and not found["attrs"].local
    assert found["local"].local


def test_several_affected_entries_for_one_package(tmp_path: Path) -> None:
    # Real records split one package over entries (one per branch); each counts, and the smallest
    # upgrade must leave every entry behind.
    raw = record(id="PYSEC-9")
    raw["affected"] = [
        {"package": {"ecosystem": "PyPI", "name": "Pkg"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4"}]}]},
        {"package": {"ecosystem": "PyPI", "name": "pkg"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.3"}]}]},
        {"package": {"ecosystem": "npm", "name": "pkg"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]},
    ]
    db = tmp_path / "db"
    write(db / "PYSEC-9.json", json.dumps(raw))
    database = open_database(db, None)
    try:
        found = audit([Dependency("pkg", "1.2", PYPI, "r"), Dependency("PKG", "2.1", PYPI, "r"),
                       Dependency("pkg", "1.5", PYPI, "r")], database, Stats())
    finally:
        database.close()
    results = {d.version: [(v.id, v.smallest_fix, v.fix_versions) for v in vs] for d, vs in found.items()}
    assert results == {"1.2": [("PYSEC-9", "1.4", ("1.4", "2.3"))], "2.1": [("PYSEC-9", "2.3", ("1.4", "2.3"))],
                       "1.5": []}


def test_uv_lock_forked_versions_keep_every_edge(tmp_path: Path) -> None:
    lock = write(tmp_path / "uv.lock", """version = 1
revision = 2
requires-python = ">=3.9"
resolution-markers = ["python_full_version >= '3.10'", "python_full_version < '3.10'"]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
  { name = "numpy", version = "1.26.4", source = { registry = "https://x" }, marker = "python_full_version < '3.10'" },
  { name = "numpy", version = "2.0.0", source = { registry = "https://x" }, marker = "python_full_version >= '3.10'" },
]

[package.optional-dependencies]
cli = [{ name = "click" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.10'"]
dependencies = [{ name = "six" }]

[[package]]
name = "numpy"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.10'"]

[[package]]
name = "six"
version = "1.16.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "click"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "7.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "six" }]
""")
    found = {(d.name, d.version): d.dev for d in read(lock, "uv.lock").dependencies}
    # six is reached at runtime only through the first numpy: it used to be overwritten by the second.
    assert found == {("numpy", "1.26.4"): False, ("numpy", "2.0.0"): False, ("six", "1.16.0"): False,
                     ("click", "8.0.0"): False, ("pytest", "7.0.0"): True}


def test_poetry_lock_one_name_twice_keeps_both_edges(tmp_path: Path) -> None:
    # Poetry 1.5-1.8 locks (lock-version 2.0) carry neither groups nor category: dev comes from reachability.
    write(tmp_path / "pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.9"\nnumpy = "*"\n'
                                       '[tool.poetry.group.dev.dependencies]\npytest = "*"\n')
    lock = write(tmp_path / "poetry.lock", """[[package]]
name = "numpy"
version = "1.26.4"
optional = false
python-versions = ">=3.9"

[package.dependencies]
six = "*"

[[package]]
name = "numpy"
version = "2.0.0"
optional = false
python-versions = ">=3.10"

[[package]]
name = "six"
version = "1.16.0"
optional = false
python-versions = "*"

[[package]]
name = "pytest"
version = "7.0.0"
optional = false
python-versions = "*"

[package.dependencies]
six = "*"

[metadata]
lock-version = "2.0"
python-versions = "^3.9"
content-hash = "x"
""")
    found = {(d.name, d.version): d.dev for d in read(lock, "poetry.lock").dependencies}
    assert found == {("numpy", "1.26.4"): False, ("numpy", "2.0.0"): False, ("six", "1.16.0"): False,
                     ("pytest", "7.0.0"): True}


def test_malformed_fields_of_a_record_are_tolerated_not_misread(tmp_path: Path) -> None:
    # `aliases` written as one string used to become one alias per character, merging unrelated bugs.
    db = tmp_path / "db"
    write(db / "A.json", json.dumps(record(id="GHSA-a", aliases="CVE-2020-1", severity={"type": "CVSS_V3"})))
    write(db / "B.json", json.dumps(record(id="GHSA-b", aliases="CVE-2021-2", versions=None, summary=None,
                                           details=["not", "text"])))
    database = open_database(db, None)
    try:
        found = audit([Dependency("pkg", "1.0", PYPI, "r")], database, Stats())
    finally:
        database.close()
    assert sorted((v.id, v.aliases) for v in next(iter(found.values()))) == [
        ("GHSA-a", ("CVE-2020-1",)), ("GHSA-b", ("CVE-2021-2",))]


def test_constraints_file_pins_what_the_requirements_leave_open(git_repo: Path, osv_db: Path) -> None:
    write(git_repo / "constraints.txt", "requests==2.19.0\nsix==1.16.0\n")
    write(git_repo / "requirements.txt",
          "-c constraints.txt\n-c https://releases.example/constraints/upper.txt\nrequests\nflask>=1\n")
    found = by_name(git_repo / "requirements.txt")
    assert found["requests"].version == "2.19.0" and found["requests"].line == 3
    assert found["flask"].version is None and "six" not in found  # constraints add no package
    result = deps("--db", str(osv_db))
    assert result.exit_code == 1 and "PYSEC-2018-28" in result.output
