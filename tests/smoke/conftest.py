"""Fixtures for the smoke gate: the loopback app (HTTP and HTTPS) and a real rollback script."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.http_app import Server, serve


@pytest.fixture(scope="session")
def app() -> Iterator[Server]:
    with serve() as server:
        yield server


@pytest.fixture(scope="session")
def tls_app() -> Iterator[Server]:
    with serve(tls=True) as server:
        yield server


@pytest.fixture
def rollback_script(tmp_path: Path) -> Path:
    """A real rollback: appends what it was told to a marker file; exits with $ROLLBACK_EXIT (default 0)."""
    script = tmp_path / "rollback.py"
    script.write_text(
        "import os, sys\n"
        "with open(sys.argv[1], 'a') as marker:\n"
        "    marker.write(os.environ.get('GATES_SMOKE_FAILED_CHECKS', '') + '|' +\n"
        "                 os.environ.get('GATES_SMOKE_RESULT', '') + '\\n')\n"
        "print('rolling back; password was', os.environ.get('DEMO_PASSWORD', ''))\n"
        "sys.exit(int(os.environ.get('ROLLBACK_EXIT', '0')))\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script
