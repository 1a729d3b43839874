"""Each dependency file format: what is pinned, what is dev, where each package is, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gates.deps.model import NPM, PYPI
from gates.deps.readers import ParseError, detect, read


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pins(path: Path) -> dict[str, tuple[str | None, bool]]:
    manifest = read(path, path.name)
    return {d.name: (d.version, d.dev) for d in manifest.dependencies}


def test_requirements_includes_hashes_markers_extras_and_continuations(tmp_path: Path) -> None:
    write(tmp_path / "base.txt", "jinja2==2.10 \\\n    --hash=sha256:0123\n")
    req = write(tmp_path / "requirements.txt",
                "# pinned\n-r base.txt\n-c constraints.txt\n"
                "requests[socks]==2.19.0 ; python_version >= '3.6'  # comment\n"
                "flask>=1.0\n--index-url https://pypi.example/simple\n"
                "-e ./local#egg=localpkg\nwheelpkg @ https://example.com/wheelpkg-1.0.whl\n")
    manifest = read(req, "requirements.txt")
    found = {d.name: d for d in manifest.dependencies}
    assert found["jinja2"].version == "2.10" and found["jinja2"].path == "base.txt" and found["jinja2"].line == 1
    assert found["requests"].version == "2.19.0" and found["requests"].line == 4
    assert found["flask"].version is None and found["flask"].spec == "flask>=1.0"
    assert found["localpkg"].skip_reason == "editable install"
    assert found["wheelpkg"].skip_reason == "direct URL reference"
    assert manifest.index_options == ["--index-url https://pypi.example/simple"]


def test_requirements_include_cycle_reads_each_file_once(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "-r requirements.txt\nsix==1.0\n")
    req = write(tmp_path / "requirements.txt", "-r a.txt\nsix==1.0\n")
    assert [d.name for d in read(req, "requirements.txt").dependencies] == ["six", "six"]


def test_requirements_bad_line_names_file_and_line(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt", "six==1.0\nthis is not ==== valid\n")
    with pytest.raises(ParseError) as caught:
        read(req, "requirements.txt")
    assert caught.value.line == 2 and "requirements.txt:2" in str(caught.value)


def test_requirements_missing_include(tmp_path: Path) -> None:
    req = write(tmp_path / "requirements.txt", "-r nope.txt\n")
    with pytest.raises(ParseError, match="nope.txt"):
        read(req, "requirements.txt")


def test_pyproject_pep621_groups_and_poetry(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", """
[project]
name = "demo"
dependencies = ["requests==2.19.0", "flask>=2"]
[project.optional-dependencies]
docs = ["sphinx==1.0"]
[dependency-groups]
dev = ["pytest==7.0.0", {include-group = "lint"}]
[tool.poetry.dependencies]
python = "^3.10"
jinja2 = "2.10"
django = {version = "^4.0"}
[tool.poetry.group.test.dependencies]
coverage = "==5.0"
""")
    found = pins(path)
    assert found["requests"] == ("2.19.0", False)
    assert found["flask"] == (None, False)
    assert found["sphinx"] == ("1.0", False)
    assert found["pytest"] == ("7.0.0", True)
    assert found["jinja2"] == ("2.10", False)
    assert found["django"] == (None, False)
    assert found["coverage"] == ("5.0", True)
    assert "python" not in found


POETRY_LOCK = """
[[package]]
name = "requests"
version = "2.19.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]

[package.dependencies]
urllib3 = ">=1.21"

[[package]]
name = "pytest"
version = "7.0.0"
description = ""
optional = false
python-versions = "*"
groups = ["dev"]

[metadata]
lock-version = "2.1"
"""


def test_poetry_lock_groups(tmp_path: Path) -> None:
    path = write(tmp_path / "poetry.lock", POETRY_LOCK)
    assert pins(path) == {"requests": ("2.19.0", False), "pytest": ("7.0.0", True)}
    assert read(path, "poetry.lock").dependencies[1].line == 14


def test_poetry_lock_without_groups_uses_pyproject_reachability(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", """
[tool.poetry.dependencies]
python = "^3.10"
requests = "*"
[tool.poetry.group.dev.dependencies]
pytest = "*"
""")
    lock = POETRY_LOCK.replace('groups = ["main"]\n', "").replace('groups = ["dev"]\n', "")
    lock += '\n[[package]]\nname = "urllib3"\nversion = "1.24"\ndescription = ""\noptional = false\n'
    path = write(tmp_path / "poetry.lock", lock)
    assert pins(path) == {"requests": ("2.19.0", False), "pytest": ("7.0.0", True), "urllib3": ("1.24", False)}


def test_uv_lock_dev_by_reachability(tmp_path: Path) -> None:
    path = write(tmp_path / "uv.lock", """
version = 1
requires-python = ">=3.10"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "requests" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "requests"
version = "2.19.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "urllib3" }]

[[package]]
name = "urllib3"
version = "1.24"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "7.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "urllib3" }]

[[package]]
name = "gitdep"
version = "1.0"
source = { git = "https://example.com/gitdep" }
""")
    found = pins(path)
    assert found == {"requests": ("2.19.0", False), "urllib3": ("1.24", False), "pytest": ("7.0.0", True),
                     "gitdep": ("1.0", False)}
    gitdep = [d for d in read(path, "uv.lock").dependencies if d.name == "gitdep"][0]
    assert gitdep.skip_reason == "git source"


def test_pipfile_lock(tmp_path: Path) -> None:
    path = write(tmp_path / "Pipfile.lock", json.dumps({
        "_meta": {}, "default": {"requests": {"version": "==2.19.0"}},
        "develop": {"pytest": {"version": "==7.0.0"}}}, indent=4))
    assert pins(path) == {"requests": ("2.19.0", False), "pytest": ("7.0.0", True)}


def test_pylock_toml(tmp_path: Path) -> None:
    path = write(tmp_path / "pylock.toml", """
lock-version = "1.0"
created-by = "test"
default-groups = ["default"]

[[packages]]
name = "requests"
version = "2.19.0"

[[packages]]
name = "pytest"
version = "7.0.0"
marker = "'dev' in dependency_groups"
""")
    assert pins(path) == {"requests": ("2.19.0", False), "pytest": ("7.0.0", True)}


def test_npm_lock_v3_scoped_dev_and_links(tmp_path: Path) -> None:
    path = write(tmp_path / "package-lock.json", json.dumps({
        "name": "app", "lockfileVersion": 3, "packages": {
            "": {"name": "app"},
            "node_modules/lodash": {"version": "4.17.11"},
            "node_modules/@babel/core": {"version": "7.0.0", "dev": True},
            "node_modules/a/node_modules/lodash": {"version": "4.17.20"},
            "node_modules/ws-local": {"resolved": "packages/ws", "link": True},
        }}, indent=2))
    manifest = read(path, "package-lock.json")
    found = [(d.name, d.version, d.dev, d.ecosystem) for d in manifest.dependencies]
    assert found == [("lodash", "4.17.11", False, NPM), ("@babel/core", "7.0.0", True, NPM),
                     ("lodash", "4.17.20", False, NPM)]
    assert manifest.dependencies[0].line == 8


def test_npm_lock_v1(tmp_path: Path) -> None:
    path = write(tmp_path / "package-lock.json", json.dumps({
        "lockfileVersion": 1, "dependencies": {"lodash": {"version": "4.17.11", "dependencies": {
            "minimist": {"version": "0.0.8", "dev": True}}}}}))
    assert pins(path) == {"lodash": ("4.17.11", False), "minimist": ("0.0.8", True)}


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("package-lock.json", '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/x": \n}\n', 5),
        ("poetry.lock", '[[package]]\nname = "x"\nversion = \n', 3),
        ("uv.lock", "version = 1\n[[package]\n", 2),
        ("Pipfile.lock", "{\n\n  oops\n}", 3),
        ("pylock.toml", 'created-by = "x"\n', 1),
    ],
)
def test_malformed_lockfiles_name_file_and_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        read(write(tmp_path / name, text), name)
    assert caught.value.path == name
    assert caught.value.line == line


def test_detect_prefers_lockfiles_over_pyproject_and_skips_vendored_trees(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n")
    write(tmp_path / "uv.lock", "version = 1\n")
    write(tmp_path / "requirements-dev.txt", "")
    write(tmp_path / "notes.txt", "")
    write(tmp_path / "frontend" / "package-lock.json", "{}")
    write(tmp_path / "node_modules" / "x" / "package-lock.json", "{}")
    write(tmp_path / ".venv" / "requirements.txt", "")
    found = sorted(str(p.relative_to(tmp_path)) for p in detect(tmp_path))
    assert found == ["frontend/package-lock.json", "requirements-dev.txt", "uv.lock"]


def test_pypi_names_are_pep503_normalized(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "Zope.Interface==5.0\n")
    dependency = read(path, "requirements.txt").dependencies[0]
    assert dependency.key == "zope-interface" and dependency.ecosystem == PYPI


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2"), ("^0.2.3", ">=0.2.3,<0.3"), ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("~1.2.3", ">=1.2.3,<1.3"), ("~1", ">=1,<2"), ("1.2.*", "==1.2.*"), ("*", ""),
        (">=1.0, <2.0", ">=1.0,<2.0"), (">=1.0 <2.0", ">=1.0,<2.0"), ("1.2.3", "==1.2.3"), ("^1 || ^2", None),
    ],
)
def test_poetry_constraints_as_pep440(constraint: str, expected: str | None) -> None:
    from gates.deps.readers.poetry_constraints import to_pep440

    assert to_pep440(constraint) == expected


def test_poetry_ranges_become_resolvable_specs(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.poetry.dependencies]\ndjango = "^4.0"\nodd = "^1 || ^2"\n')
    found = {d.name: d for d in read(path, "pyproject.toml").dependencies}
    assert found["django"].spec == "django>=4.0,<5" and found["django"].version is None
    assert found["odd"].skip_reason.startswith("constraint")
