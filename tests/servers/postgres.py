"""A real PostgreSQL (the pgserver wheel) started once for the whole test run.

`postgres_url` is a superuser URL to its `postgres` database over a Unix socket; tests that need a
database of their own create one (`fresh_database`). When the server cannot start on this machine,
the tests that use it skip with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError as exc:  # pragma: no cover - pgserver is a dependency
            pytest.skip(f"pgserver is not installed: {exc}")
        workdir = Path(tempfile.mkdtemp(prefix="gates-test-pg-"))
        workdir.chmod(0o755)
        try:
            server = pgserver.get_server(workdir / "data", cleanup_mode="delete")
        except Exception as exc:  # whatever initdb or pg_ctl raised: this machine cannot run it
            shutil.rmtree(workdir, ignore_errors=True)
            pytest.skip(f"PostgreSQL (pgserver) could not start here: {type(exc).__name__}: {exc}")
    try:
        yield server.get_uri()
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def psql_path() -> str:
    import pgserver._commands as commands

    bundled = Path(commands.POSTGRES_BIN_PATH) / "psql"
    return str(bundled) if bundled.is_file() else (shutil.which("psql") or "psql")


def run_sql(url: str, sql: str) -> str:
    done = subprocess.run([psql_path(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url], input=sql,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def fresh_database(url: str, sql: str = "") -> str:
    """A new database on the server (optionally with `sql` run in it); its URL."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    run_sql(url, f'CREATE DATABASE "{name}";')
    target = with_database(url, name)
    if sql:
        run_sql(target, sql)
    return target
