"""The gate end to end on a real PostgreSQL (the session's pgserver, a scratch database per run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gates.cli import cli
from tests.migrations.conftest import checks, gate, write
from tests.servers.postgres import fresh_database, with_database

GOOD = {
    "migrations/001_users.sql": "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n"
                                "CREATE INDEX users_email ON users (email);\n",
    "migrations/002_orders.sql": "SET lock_timeout = '5s';\n"
                                 "CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint);\n"
                                 "ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id)"
                                 " REFERENCES users (id) NOT VALID;\n"
                                 "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();\n",
}


def test_a_good_migration_set_passes(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, GOOD)
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 0, result.output
    found = checks(git_repo / "out.json")
    assert found["migrations/001_users.sql"]["status"] == "passed"
    assert found["migrations/002_orders.sql"]["properties"]["statements"] == 4
    assert "duration_ms" in found["migrations/002_orders.sql"]["properties"]
    assert found["discovery"]["message"].startswith("found: sql (2 migrations)")


def test_a_dropping_migration_blocks(git_repo: Path, postgres_url: str) -> None:
    drop = "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN email;\n"
    write(git_repo, {**GOOD, "migrations/003_drop.sql": drop})
    result = gate(["--database-url", postgres_url, "--sarif", "out.sarif", "--json", "out.json"])
    assert result.exit_code == 1, result.output
    check = checks(git_repo / "out.json")["migrations/003_drop.sql"]
    assert check["status"] == "failed"
    (finding,) = check["findings"]
    assert finding["rule"] == "drop-column" and finding["location"]["line"] == 2
    assert "expand/contract" in finding["fix"]
    assert "drop-column" in (git_repo / "out.sarif").read_text()


def test_a_broken_migration_fails_with_file_line_and_postgresql_message(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {**GOOD, "migrations/003_broken.sql": "SET lock_timeout = '5s';\nCREATE TABLE a (id int);\n"
                     "INSERT INTO a\n  VALUES (1),\n  (nope);\n", "migrations/004_after.sql": "SELECT 1;\n"})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1, result.output
    found = checks(git_repo / "out.json")
    broken = found["migrations/003_broken.sql"]
    assert broken["status"] == "failed"
    failure = broken["findings"][0]
    assert failure["rule"] == "apply-failed"
    assert 'column "nope" does not exist' in failure["message"]
    assert (failure["location"]["path"], failure["location"]["line"]) == ("migrations/003_broken.sql", 5)
    assert found["migrations/004_after.sql"]["status"] == "skipped"
    assert "003_broken.sql failed" in found["migrations/004_after.sql"]["message"]


def test_a_syntax_error_is_placed_too(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {"migrations/001.sql": "CREATE TABLE a (id int);\n\nCREAT TABLE b (id int);\n"})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1
    failure = checks(git_repo / "out.json")["migrations/001.sql"]["findings"][0]
    assert "syntax error" in failure["message"] and failure["location"]["line"] == 3


def test_a_table_no_migration_creates_needs_a_baseline(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {"migrations/001.sql": "SET lock_timeout = '5s';\nALTER TABLE legacy ADD COLUMN note text;\n",
                     # a pg_dump with data: before, its `\\N` (NULL) rows were blanked as meta-commands
                     "baseline.sql": "\\restrict k3y\nCREATE TABLE legacy (id int, tag text);\n"
                                     "COPY public.legacy (id, tag) FROM stdin;\n1\t\\N\n\\N\tx\n\\.\n"
                                     "\\unrestrict k3y\n",
                     "migrations/002.sql": "DO $$ BEGIN IF (SELECT count(*) FROM legacy WHERE tag IS NULL) <> 1 THEN "
                                           "RAISE EXCEPTION 'rows lost'; END IF; END $$;\n"})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 3, result.output
    check = checks(git_repo / "out.json")["migrations/001.sql"]
    assert check["status"] == "error" and '"legacy" does not exist' in check["message"]
    assert "--schema" in check["message"]
    result = gate(["--database-url", postgres_url, "--schema", "baseline.sql"])
    assert result.exit_code == 0, result.output


def test_no_migrations_is_a_clear_usage_message(git_repo: Path) -> None:
    result = gate([])
    assert result.exit_code == 2
    assert "nothing to check: no migrations found" in result.output


def test_no_migrations_is_skipped_under_gates_run(git_repo: Path) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["run", "--gates", "migrations", "--json", "out.json"])
    assert result.exit_code == 0, result.output
    gate_report = json.loads((git_repo / "out.json").read_text())["gates"][0]
    assert gate_report["status"] == "skipped"
    assert "no migrations found" in gate_report["checks"][0]["message"]


def test_alembic_found_but_not_executed_is_never_a_pass(git_repo: Path) -> None:
    write(git_repo, {"alembic.ini": "[alembic]\nscript_location = alembic\n",
                     "alembic/versions/abc_init.py": "revision = 'abc'\n"})
    result = gate(["--json", "out.json"])
    assert result.exit_code == 3, result.output
    (check,) = [c for name, c in checks(git_repo / "out.json").items() if name != "discovery"]
    assert check["status"] == "error" and "found but not executed" in check["message"]


def test_unreachable_database_url_is_exit_3(git_repo: Path) -> None:
    write(git_repo, GOOD)
    result = gate(["--database-url", "postgresql://gate:pw-unreachable-1234@127.0.0.1:1/app"])
    assert result.exit_code == 3
    assert "cannot connect to postgresql://gate@127.0.0.1:1/app" in result.output
    assert "pw-unreachable-1234" not in result.output


def test_a_database_that_already_has_tables_is_refused(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, GOOD)
    url = fresh_database(postgres_url, "CREATE TABLE customers (id int);")
    result = gate(["--database-url", url])
    assert result.exit_code == 2
    assert "already has 1 table(s)" in result.output and "--i-know-this-is-not-production" in result.output
    result = gate(["--database-url", url, "--i-know-this-is-not-production"])
    assert result.exit_code == 0, result.output


def test_a_database_url_password_appears_in_no_output(git_repo: Path, postgres_url: str) -> None:
    password = "Sup3r-Secret-Passw0rd-4242"
    url = postgres_url.replace("postgres:@", f"postgres:{password}@")
    assert password in url
    write(git_repo, {**GOOD, "migrations/003_bad.sql": "ALTER TABLE nothing_here ADD COLUMN x int;\n"})
    result = gate(["--junit-xml", "out.xml", "--sarif", "out.sarif", "--json", "out.json"],
                  env={"DATABASE_URL": url})
    assert result.exit_code == 3, result.output  # the table is created by no migration
    for text in (result.output, *(p.read_text() for p in git_repo.glob("out.*"))):
        assert password not in text
        assert url not in text
    assert "existing server" in json.loads((git_repo / "out.json").read_text())["gates"][0]["metrics"]["server"]


def test_the_gate_starts_its_own_server_without_a_url(git_repo: Path) -> None:
    write(git_repo, GOOD)
    result = gate(["--json", "out.json"])
    assert result.exit_code == 0, result.output
    server = json.loads((git_repo / "out.json").read_text())["gates"][0]["metrics"]["server"]
    assert "PostgreSQL" in server and "existing server" not in server


def test_scratch_databases_are_dropped(git_repo: Path, postgres_url: str) -> None:
    from tests.servers.postgres import run_sql

    write(git_repo, GOOD)
    gate(["--database-url", postgres_url])
    names = run_sql(with_database(postgres_url, "postgres"), "SELECT datname FROM pg_database;")
    assert "gates_scratch" not in names


def test_a_not_null_column_without_default_fails_on_the_seeded_table(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {
        "migrations/001.sql": "CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL);\n"
                              "CREATE TABLE teams (id serial PRIMARY KEY, owner int NOT NULL REFERENCES accounts (id),"
                              " size int NOT NULL CHECK (size > 1000));\n",
        "migrations/002.sql": "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN plan text NOT NULL;\n",
    })
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1, result.output
    found = checks(git_repo / "out.json")
    first = found["migrations/001.sql"]["properties"]
    assert "public.accounts" in first["seeded_tables"]
    assert "public.teams" in first["unseeded_tables"] and "check constraint" in first["unseeded_tables"]
    rules = [f["rule"] for f in found["migrations/002.sql"]["findings"]]
    assert rules == ["apply-failed", "add-not-null-column"]
    assert "contains null values" in found["migrations/002.sql"]["findings"][0]["message"]

    result = gate(["--database-url", postgres_url, "--no-seed", "--json", "out.json"])
    found = checks(git_repo / "out.json")  # an empty table hides it: only the rule still catches it
    assert [f["rule"] for f in found["migrations/002.sql"]["findings"]] == ["add-not-null-column"]


def test_junit_output_validates_and_carries_file_and_line(git_repo: Path, postgres_url: str) -> None:
    from lxml import etree

    from tests.test_reporters import validate_junit

    write(git_repo, {**GOOD, "migrations/003_bad.sql": "SET lock_timeout = '5s';\nDROP TABLE orders;\nSELECT 1/0;\n",
                     "migrations/004_skipped.sql": "SELECT 1;\n"})
    result = gate(["--database-url", postgres_url, "--junit-xml", "out.xml"])
    assert result.exit_code == 1, result.output
    text = (git_repo / "out.xml").read_text()
    cases = {case.get("name"): case for case in etree.fromstring(text.encode()).iter("testcase")}
    bad = cases["migrations/003_bad.sql"]
    assert bad.get("classname") == "gates.migrations.sql" and bad.get("file") == "migrations/003_bad.sql"
    failure = bad.find("failure")
    assert failure is not None and "division by zero" in (failure.text or "")
    assert cases["migrations/004_skipped.sql"].find("skipped") is not None
    validate_junit(text)


def test_bad_config_is_exit_2_naming_the_key(git_repo: Path) -> None:
    write(git_repo, {**GOOD, "gates.toml": '[migrations]\nframework = "rails"\n'})
    result = gate([])
    assert result.exit_code == 2
    assert "[migrations] framework" in result.output and "rails" in result.output
    assert "Traceback" not in result.output

    write(git_repo, {"gates.toml": '[migrations]\nschema = "missing.sql"\n'})
    result = gate([])
    assert result.exit_code == 2 and "[migrations] schema" in result.output


def test_statement_timeout_stops_a_migration_that_runs_too_long(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {"migrations/001.sql": "CREATE TABLE a (id int);\nSELECT pg_sleep(5);\n"})
    result = gate(["--database-url", postgres_url, "--statement-timeout", "200ms", "--json", "out.json"])
    assert result.exit_code == 1, result.output
    failure = checks(git_repo / "out.json")["migrations/001.sql"]["findings"][0]
    assert "statement timeout" in failure["message"] and failure["location"]["line"] == 2


def test_the_embedded_server_starts_and_stops() -> None:
    from gates.migrations.database import _embedded_server

    server = _embedded_server()
    assert server is not None
    try:
        assert server.kind.startswith("embedded") and server.version
        assert server.query("SELECT 40 + 2;").stdout.strip() == "42"
    finally:
        server.close()


def test_a_refused_database_stops_gates_run_with_exit_2(git_repo: Path, postgres_url: str) -> None:
    from click.testing import CliRunner

    write(git_repo, GOOD)
    url = fresh_database(postgres_url, "CREATE TABLE customers (id int);")
    result = CliRunner().invoke(cli, ["run", "--gates", "migrations"], env={"DATABASE_URL": url})
    assert result.exit_code == 2, result.output
    assert "refusing" in result.output


def test_a_local_server_that_cannot_start_is_exit_3(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # no usable temp dir: neither initdb nor pgserver can start (before: an OSError traceback, not exit 3)
    import tempfile

    write(git_repo, GOOD)
    monkeypatch.setattr(tempfile, "tempdir", str(git_repo / "no-such-dir"))
    result = gate([])
    assert result.exit_code == 3, result.output
    assert "could not start a throwaway PostgreSQL" in result.output


REAL_WORLD = {
    "migrations/001_dump.sql": "CREATE TABLE t (a text);\nCOPY t (a) FROM stdin;\nx;y\n\\N\nz\n\\.\n"
                               "\\connect postgres\nCREATE TABLE after_meta (id int);\n",
    "migrations/002_empty.sql": "",
    "migrations/003_comments.sql": "-- nothing to do; really\n/* still; nothing */\n",
    "migrations/004_block.sql": "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;\n",
    "migrations/005_reindex.sql": "REINDEX TABLE CONCURRENTLY t;\n",
    "migrations/006_check.sql": "DO $$ BEGIN IF (SELECT count(*) FROM t) <> 3 THEN RAISE EXCEPTION 'copy lost'; "
                                "END IF; END $$;\nSELECT 1 FROM after_meta;\n",
}


def test_real_world_files_apply_as_psql_would_without_leaving_the_scratch_database(
        git_repo: Path, postgres_url: str) -> None:
    write(git_repo, REAL_WORLD)
    (git_repo / "migrations" / "007_latin1.sql").write_bytes(b"INSERT INTO t VALUES ('caf\xe9');\n")
    target = fresh_database(postgres_url)
    result = gate(["--database-url", target, "--json", "out.json"])
    found = checks(git_repo / "out.json")
    assert result.exit_code == 0, result.output
    dump = found["migrations/001_dump.sql"]
    assert dump["status"] == "passed"  # a warning: the meta-command is reported, never run
    assert [f["rule"] for f in dump["findings"]] == ["psql-meta-command"]
    assert dump["findings"][0]["location"]["line"] == 7
    assert "no statements" in found["migrations/002_empty.sql"]["message"]
    assert "no statements" in found["migrations/003_comments.sql"]["message"]
    # REINDEX CONCURRENTLY cannot run in a transaction: the gate applies it outside one (before: apply-failed)
    assert found["migrations/005_reindex.sql"]["status"] == "passed"
    assert found["migrations/006_check.sql"]["status"] == "passed"  # the COPY rows arrived
    assert [f["rule"] for f in found["migrations/007_latin1.sql"]["findings"]] == ["not-utf8"]
    # \connect postgres was not run: nothing landed outside the scratch database
    from tests.servers.postgres import run_sql

    assert run_sql(target, "SELECT to_regclass('after_meta') IS NULL;").strip() == "t"
    assert run_sql(postgres_url, "SELECT to_regclass('after_meta') IS NULL;").strip() == "t"


def test_a_type_change_that_postgresql_does_without_a_rewrite_is_withdrawn(git_repo: Path, postgres_url: str) -> None:
    # before: varchar(50) -> varchar(100) was a warning and numeric(10,2) -> numeric(12,2) an error, yet
    # PostgreSQL changes only the catalog; the table's file (relfilenode) tells
    lock = "SET lock_timeout = '5s';\n"
    write(git_repo, {
        "migrations/001.sql": "CREATE TABLE p (id int, name varchar(50), price numeric(10,2));\n",
        "migrations/002.sql": lock + "ALTER TABLE p ALTER COLUMN name TYPE varchar(100);\n",
        "migrations/003.sql": lock + "ALTER TABLE p ALTER COLUMN price TYPE numeric(12,2);\n",
        "migrations/004.sql": lock + "ALTER TABLE p ALTER COLUMN id TYPE bigint;\n",
        "migrations/005.sql": lock + "ALTER TABLE p ALTER COLUMN name TYPE varchar(10);\n",
        "migrations/006.sql": "CREATE FUNCTION tag() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'x' $$;\n"
                              "CREATE FUNCTION pick() RETURNS float8 LANGUAGE sql AS $$ SELECT random() $$;\n",
        "migrations/007.sql": lock + "ALTER TABLE p ADD COLUMN t text DEFAULT tag();\n",
        "migrations/008.sql": lock + "ALTER TABLE p ADD COLUMN r float8 DEFAULT pick();\n",
    })
    result = gate(["--database-url", fresh_database(postgres_url), "--json", "out.json", "--strict"])
    assert result.exit_code == 1, result.output
    found = checks(git_repo / "out.json")
    for name in ("002", "003"):
        assert found[f"migrations/{name}.sql"]["status"] == "passed"
        assert found[f"migrations/{name}.sql"]["properties"]["type_changes_without_rewrite"] == "p"
    assert [f["rule"] for f in found["migrations/004.sql"]["findings"]] == ["alter-column-type"]
    # narrowing rewrites: the warning becomes the error it is (was a warning)
    narrowed = found["migrations/005.sql"]["findings"]
    assert [(f["rule"], f["severity"]) for f in narrowed] == [("alter-column-type", "error")]
    assert "measured" in narrowed[0]["message"]
    # a default calling the project's own function: STABLE is no rewrite, VOLATILE (the default) is one
    assert found["migrations/007.sql"]["status"] == "passed"
    assert [f["rule"] for f in found["migrations/008.sql"]["findings"]] == ["add-column-volatile-default"]


def test_a_long_migration_that_fails_at_its_end_is_placed_exactly(git_repo: Path, postgres_url: str) -> None:
    # before: psql's output was cut to its first 64,000 characters, so the failing statement's marker (and
    # PostgreSQL's error) were lost past ~2,500 statements: blamed on the wrong line, or "could not run"
    body = "CREATE TABLE big (id int);\n" + "INSERT INTO big VALUES (1);\n" * 4000 + "INSERT INTO big VALUES ('x');\n"
    write(git_repo, {"migrations/001_big.sql": body})
    result = gate(["--database-url", fresh_database(postgres_url), "--json", "out.json"])
    assert result.exit_code == 1, result.output
    failure = checks(git_repo / "out.json")["migrations/001_big.sql"]["findings"][0]
    assert failure["rule"] == "apply-failed" and failure["location"]["line"] == 4002
    assert "invalid input syntax for type integer" in failure["message"]


def test_a_new_enum_value_used_in_the_frameworks_transaction_fails_as_in_production(
        git_repo: Path, postgres_url: str) -> None:
    # Prisma runs a multi-statement migration in one transaction: PostgreSQL refuses a value added there
    # (before: the gate applied it outside a transaction, so it passed)
    use = "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE people SET mood = 'sad' WHERE id = 1;\n"
    write(git_repo, {"prisma/migrations/migration_lock.toml": "",
                     "prisma/migrations/20240101000000_init/migration.sql":
                         "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE people (id int, mood mood);\n",
                     "prisma/migrations/20240201000000_sad/migration.sql": use})
    result = gate(["--database-url", fresh_database(postgres_url), "--json", "out.json"])
    assert result.exit_code == 1, result.output
    found = checks(git_repo / "out.json")["prisma/migrations/20240201000000_sad"]
    rules = [f["rule"] for f in found["findings"]]
    assert rules[0] == "apply-failed" and "unsafe use of new value" in found["findings"][0]["message"]
    assert "enum-value-in-transaction" in rules


def test_a_string_that_only_looks_like_the_new_enum_value_is_not_a_finding(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {"prisma/migrations/migration_lock.toml": "",
                     "prisma/migrations/20240101000000_init/migration.sql":
                         "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE notes (id int, body text);\n",
                     "prisma/migrations/20240201000000_sad/migration.sql":
                         "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE notes SET body = 'sad' WHERE id = 1;\n"})
    result = gate(["--database-url", fresh_database(postgres_url), "--json", "out.json"])
    assert result.exit_code == 0, result.output
    assert checks(git_repo / "out.json")["prisma/migrations/20240201000000_sad"]["findings"] == []


def test_a_password_in_a_failing_statement_is_masked_in_every_output(git_repo: Path, postgres_url: str) -> None:
    # the statement is a finding's evidence: its PASSWORD literal is no pattern the reporters know
    write(git_repo, {"migrations/001.sql": "CREATE ROLE gates_test_app LOGIN PASSWORD 'plain-Pa55word-42' NOPE;\n"})
    result = gate(["--database-url", fresh_database(postgres_url), "--json", "out.json", "--sarif", "out.sarif",
                   "--junit-xml", "out.xml"])
    assert result.exit_code == 1, result.output
    for written in (result.output, *((git_repo / name).read_text() for name in ("out.json", "out.sarif", "out.xml"))):
        assert "plain-Pa55word-42" not in written
