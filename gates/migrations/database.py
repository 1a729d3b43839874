"""The throwaway PostgreSQL: an existing server's scratch database, the machine's binaries, or pgserver.

In this order: `--database-url` / `DATABASE_URL` (the gate creates its own scratch database there
and drops it afterwards; it refuses a database that already has tables unless told it is not
production); else PostgreSQL binaries on the machine (`initdb` in a temp dir, a Unix socket in
that dir, run as the `postgres` user when we are root, since initdb refuses root); else the
embedded server from the `pgserver` wheel. A server that cannot start is `CannotEvaluate` (exit 3).
Passwords never reach a command line: psql gets them through PGPASSWORD.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from gates.common.process import Completed, run_process
from gates.errors import CannotEvaluate, ConfigError

CONNECT_TIMEOUT = 10


@dataclass
class Server:
    kind: str  # how it was obtained, for the report
    url: str  # without password; its path names the maintenance database
    psql: str
    password: str = ""
    version: str = ""
    stop: Callable[[], None] | None = None
    secrets: frozenset[str] = field(default_factory=frozenset)

    def url_for(self, database: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + quote(database)))

    @property
    def env(self) -> dict[str, str]:
        env = {"PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT), "PGAPPNAME": "gates-migrations", "PSQLRC": os.devnull}
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def query(self, sql: str, database: str | None = None, timeout: float = 60) -> Completed:
        """Run SQL through psql (unaligned, tuples only); the caller judges the result."""
        target = self.url_for(database) if database else self.url
        return run_process(
            [self.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", target],
            input_text=sql, timeout=timeout, env=self.env, secrets=self.secrets,
        )

    def query_script(self, text: str, database: str, timeout: float) -> Completed:
        """Run a psql script (meta-commands allowed) against `database`."""
        # the end of a long run holds what matters: the last statement marker and the error
        return run_process([self.psql, "-X", "-q", "-d", self.url_for(database)], input_text=text,
                           timeout=timeout, env=self.env, secrets=self.secrets, keep_tail=True)

    def close(self) -> None:
        if self.stop is not None:
            self.stop()
            self.stop = None


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def find_psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    bundled = _pgserver_bin() / "psql"
    if bundled.is_file():
        return str(bundled)
    raise CannotEvaluate("no psql found (neither on PATH nor in the pgserver wheel)")


def _pgserver_bin() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return Path("/nonexistent")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def open_server(database_url: str | None, allow_tables: bool) -> Server:
    if database_url:
        return _existing_server(database_url, allow_tables)
    failures: list[str] = []
    for starter in (_machine_server, _embedded_server):
        try:
            server = starter()
        except CannotEvaluate as exc:
            failures.append(exc.message)
            continue
        except OSError as exc:  # no temp dir, a full disk, a binary that will not execute: still exit 3
            failures.append(f"{starter.__name__.strip('_').replace('_', ' ')}: {type(exc).__name__}: {exc}")
            continue
        if server is not None:
            return server
    raise CannotEvaluate("could not start a throwaway PostgreSQL: " + "; ".join(failures))


def _existing_server(database_url: str, allow_tables: bool) -> Server:
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ConfigError(f"--database-url: expected a postgresql:// URL, got scheme {parts.scheme!r}")
    password = unquote(parts.password or "")
    clean = display_url(database_url)
    if clean.startswith("postgres://"):
        clean = "postgresql://" + clean[len("postgres://"):]
    secrets = frozenset(s for s in (password, database_url) if s)
    server = Server("existing server (scratch database)", clean, find_psql(), password, secrets=secrets)
    done = server.query("select current_setting('server_version'); "
                        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                        "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') "
                        "and n.nspname not like 'pg_toast%';", timeout=CONNECT_TIMEOUT + 5)
    if not done.ok:
        reason = done.stderr.strip().splitlines()[-1:] or [done.describe()]
        raise CannotEvaluate(f"cannot connect to {clean}: {reason[0]}")
    version, tables = (done.stdout.split() + ["", "0"])[:2]
    server.version = version
    if int(tables or 0) and not allow_tables:
        raise ConfigError(
            f"{clean} already has {tables} table(s): refusing to use a database that may be production."
            " Point --database-url at an empty database on a disposable server, or pass"
            " --i-know-this-is-not-production (the gate only ever writes to its own scratch database)"
        )
    return server


def _machine_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _machine_server() -> Server | None:
    bindir = _machine_bindir()
    if bindir is None or not (bindir / "initdb").is_file():
        return None
    user: str | None = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None  # initdb refuses root and there is no postgres user: let pgserver do it
        user = "postgres"
    workdir = Path(tempfile.mkdtemp(prefix="gates-pg-"))
    data, log = workdir / "data", workdir / "log"
    if user is not None:
        shutil.chown(workdir, user)
    try:
        init = run_process([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                            "--no-sync", "--locale=C"], timeout=120, user=user, cwd=workdir)
        if not init.ok:
            raise CannotEvaluate(f"initdb ({bindir}) failed: {init.stderr.strip()[-300:] or init.describe()}")
        options = (f"-F -k {workdir} -c listen_addresses= -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c max_connections=20")
        start = run_process([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                             "-o", options, "start"], timeout=90, user=user, cwd=workdir)
        if not start.ok:
            raise CannotEvaluate(f"pg_ctl start ({bindir}) failed: {_tail(log) or start.describe()}")
    except CannotEvaluate:
        shutil.rmtree(workdir, ignore_errors=True)
        raise

    def stop() -> None:
        run_process([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60,
                    user=user, cwd=workdir)
        shutil.rmtree(workdir, ignore_errors=True)

    psql = str(bindir / "psql") if (bindir / "psql").is_file() else find_psql()
    server = Server(f"PostgreSQL binaries in {bindir}", f"postgresql://postgres@/postgres?host={workdir}", psql,
                    stop=stop)
    return _with_version(server)


def _embedded_server() -> Server | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError:
            return None
        workdir = Path(tempfile.mkdtemp(prefix="gates-pgserver-"))
        workdir.chmod(0o755)
        try:
            handle = pgserver.get_server(  # type: ignore[attr-defined]
                workdir / "data", cleanup_mode="delete")
        except Exception as exc:  # pgserver raises whatever its subprocesses raise
            shutil.rmtree(workdir, ignore_errors=True)
            raise CannotEvaluate(f"embedded pgserver did not start: {type(exc).__name__}: {exc}") from None

    def stop() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            handle.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)

    bundled = _pgserver_bin() / "psql"
    psql = str(bundled) if bundled.is_file() else find_psql()
    return _with_version(Server("embedded PostgreSQL (pgserver wheel)", handle.get_uri(), psql, stop=stop))


def _with_version(server: Server) -> Server:
    done = server.query("select current_setting('server_version');", timeout=30)
    if not done.ok:
        server.close()
        raise CannotEvaluate(f"{server.kind}: started but psql cannot connect: {done.stderr.strip()[-300:]}")
    server.version = done.stdout.strip()
    return server


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()[-300:]
    except OSError:
        return ""


def create_scratch(server: Server) -> str:
    name = f"gates_scratch_{uuid.uuid4().hex[:12]}"
    done = server.query(f'CREATE DATABASE "{name}";', timeout=60)
    if not done.ok:
        raise CannotEvaluate(f"cannot create a scratch database on {server.url}: {done.stderr.strip()[-300:]}")
    return name


def drop_scratch(server: Server, name: str) -> None:
    done = server.query(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);', timeout=60)
    if not done.ok:  # before PostgreSQL 13 there is no FORCE
        server.query(f'DROP DATABASE IF EXISTS "{name}";', timeout=60)
