"""Real-world migration files: psql's own syntax, odd encodings, huge files, and framework file naming."""

from __future__ import annotations

from pathlib import Path

from gates.migrations.discover import SqlSource, discover
from gates.migrations.statements import split
from tests.migrations.conftest import write


def parts(sql: str) -> list[tuple[str, int, str | None, str]]:
    return [(s.text.splitlines()[0], s.line, s.node.kind if s.node else None, s.kind)
            for s in split(SqlSource(Path("m.sql"), sql))]


def test_dollar_quotes_comments_and_several_statements_per_line() -> None:
    sql = ("CREATE FUNCTION f() RETURNS void AS $body$ BEGIN PERFORM 1; PERFORM 2; END $body$ LANGUAGE plpgsql;\n"
           "SELECT 1; SELECT 2; -- a comment; with semicolons;\n/* more; */ SELECT 3;\n")
    assert [(p[1], p[2]) for p in parts(sql)] == [(1, "CreateFunctionStmt"), (2, "SelectStmt"), (2, "SelectStmt"),
                                                  (3, "SelectStmt")]


def test_copy_from_stdin_keeps_its_data_with_it() -> None:
    # before: the data rows were parsed as SQL, so the whole file split wrongly and lost its parse trees
    sql = "CREATE TABLE t (a text);\nCOPY t (a) FROM stdin;\nx;y\n\\N\n\\.\nCREATE INDEX i ON t (a);\n"
    statements = split(SqlSource(Path("m.sql"), sql))
    assert [(s.line, s.kind) for s in statements] == [(1, "sql"), (2, "copy"), (6, "sql")]
    assert statements[1].text.endswith("\\.") and "x;y" in statements[1].text
    assert statements[2].node.kind == "IndexStmt"


def test_psql_meta_commands_are_statements_of_their_own_never_sql() -> None:
    # before: a \connect line made the whole file one unparsable statement, and psql would have run it
    assert parts("\\set ON_ERROR_STOP on\n\\connect app\nCREATE TABLE t (a int);\n") == [
        ("\\set ON_ERROR_STOP on", 1, None, "meta"), ("\\connect app", 2, None, "meta"),
        ("CREATE TABLE t (a int)", 3, "CreateStmt", "sql")]


def test_empty_and_comment_only_migrations_have_no_statements() -> None:
    assert split(SqlSource(Path("m.sql"), "")) == []
    assert split(SqlSource(Path("m.sql"), "-- nothing; here\n/* nor; here */\n")) == []


def test_a_huge_file_splits_in_linear_time() -> None:
    # before: every statement decoded and counted the text before it (quadratic: 12 s for 40,000 statements)
    sql = "-- é\n" + "".join(f"CREATE INDEX i{i} ON t (a);\n" for i in range(20000))
    statements = split(SqlSource(Path("m.sql"), sql))
    assert len(statements) == 20000 and statements[-1].line == 20001
    assert statements[-1].text == "CREATE INDEX i19999 ON t (a)"


def test_a_file_that_is_not_utf8_is_read_and_marked(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1.sql").write_bytes(b"SELECT 1;\nINSERT INTO t VALUES ('caf\xe9');\n")
    (found,) = discover(tmp_path)
    assert found.migrations[0].up.not_utf8_line == 2


def test_supabase_runs_only_what_its_cli_runs(tmp_path: Path) -> None:
    write(tmp_path, {"supabase/migrations/20240101000000_init.sql": "select 1;",
                     "supabase/migrations/seed.sql": "select 2;", "supabase/migrations/2_short.sql": "select 3;"})
    (found,) = discover(tmp_path)
    assert [m.name for m in found.migrations] == ["20240101000000_init.sql", "2_short.sql"]
    assert [(p.name, "skips" in why) for p, why in found.skipped] == [("seed.sql", True)]
    assert "without a 14-digit timestamp prefix: 2_short.sql" in found.note


def test_flyway_versions_and_what_is_not_run(tmp_path: Path) -> None:
    write(tmp_path, {"db/V1__init.sql": "select 1;", "db/V1_1__more.sql": "select 2;", "db/V2.3__x.sql": "select 3;",
                     "db/V10__late.sql": "select 4;", "db/V2.3.0__dup.sql": "select 5;", "db/R__views.sql": "select 6;",
                     "db/U1_1__more.sql": "select 7;", "db/U9__orphan.sql": "select 8;",
                     "db/afterMigrate.sql": "select 9;", "db/notes.sql": "select 10;"})
    (found,) = discover(tmp_path)
    assert [m.name for m in found.migrations] == ["V1__init.sql", "V1_1__more.sql", "V2.3.0__dup.sql", "V10__late.sql"]
    assert found.migrations[1].down is not None and found.migrations[0].down is None
    assert sorted(p.name for p, _ in found.skipped) == ["R__views.sql", "U9__orphan.sql", "V2.3__x.sql",
                                                        "afterMigrate.sql", "notes.sql"]


def test_golang_migrate_up_without_down_and_down_without_up(tmp_path: Path) -> None:
    write(tmp_path, {"db/1_a.up.sql": "select 1;", "db/1_a.down.sql": "select 1;", "db/2_b.up.sql": "select 2;",
                     "db/3_c.down.sql": "select 3;", "db/seed.sql": "select 4;"})
    (found,) = discover(tmp_path)
    assert [(m.name, m.down is not None) for m in found.migrations] == [("1_a", True), ("2_b", False)]
    assert sorted(p.name for p, _ in found.skipped) == ["3_c.down.sql", "seed.sql"]


def test_prisma_folders_in_timestamp_order_and_dbmate_without_transaction(tmp_path: Path) -> None:
    write(tmp_path, {"prisma/migrations/migration_lock.toml": "",
                     "prisma/migrations/20240301000000_b/migration.sql": "select 2;",
                     "prisma/migrations/20240101000000_a/migration.sql": "select 1;",
                     "db/migrations/1_x.sql": "-- migrate:up transaction:false\nselect 1;\n-- migrate:down\n"})
    found = {s.framework: s for s in discover(tmp_path)}
    assert [m.name for m in found["prisma"].migrations] == ["20240101000000_a", "20240301000000_b"]
    dbmate = found["dbmate"]
    assert dbmate.wrap(dbmate.migrations[0].up) == "never" and found["prisma"].wrap(SqlSource(Path("x"), "")) == "multi"


def test_a_backslash_line_inside_a_valid_function_body_is_not_a_meta_command() -> None:
    sql = "CREATE FUNCTION f() RETURNS text AS $$\nSELECT '\n\\d+'::text\n$$ LANGUAGE sql;\n"
    assert [(p[2], p[3]) for p in parts(sql)] == [("CreateFunctionStmt", "sql")]


def test_crlf_dump_with_copy_data() -> None:
    sql = "CREATE TABLE t (a int);\r\nCOPY t (a) FROM stdin;\r\n1\r\n\\.\r\nSELECT 1;\r\n"
    assert [(p[1], p[3]) for p in parts(sql)] == [(1, "sql"), (2, "copy"), (5, "sql")]


def test_a_byte_order_mark_is_skipped_as_flyway_and_supabase_do(tmp_path: Path) -> None:
    # before: PostgreSQL's parser choked on the BOM, so the first statement was unread and failed to apply
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1.sql").write_bytes(b"\xef\xbb\xbfCREATE TABLE t (a int);\n")
    (found,) = discover(tmp_path)
    (statement,) = split(found.migrations[0].up)
    assert statement.node.kind == "CreateStmt" and statement.line == 1


def test_a_data_heavy_dump_splits_quickly() -> None:
    blocks = "".join(f"CREATE TABLE t{i} (a text);\nCOPY t{i} (a) FROM stdin;\n" + "\\N\n" * 200 + "\\.\n"
                     for i in range(300))
    statements = split(SqlSource(Path("dump.sql"), "\\connect app\n" + blocks))
    assert [s.kind for s in statements[:3]] == ["meta", "sql", "copy"] and len(statements) == 601


def test_a_file_that_does_not_parse_still_places_statements_after_comments() -> None:
    # before: in the scanner's fallback split a statement's line was its leading comment's, and a trailing
    # comment became an empty, unreadable "statement"
    sql = "creat table x ();\n-- note; with a semicolon\n/* block */\nDROP TABLE users;\n-- the end\n"
    assert [(p[0], p[1], p[2]) for p in parts(sql)] == [("creat table x ()", 1, None),
                                                        ("DROP TABLE users", 4, "DropStmt")]


def test_nothing_after_a_nul_byte_or_an_unreadable_tail_vanishes(tmp_path: Path) -> None:
    # before: PostgreSQL's parser stopped at the NUL and the scanner dropped the unreadable tail, so the
    # file "applied" as just `SELECT 1` and passed
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1.sql").write_bytes(b"SELECT 1;\n\x00\x01garbage\n")
    (found,) = discover(tmp_path)
    source = found.migrations[0].up
    assert source.not_utf8_line == 2
    statements = split(source)
    assert [(s.line, s.node is None) for s in statements] == [(1, False), (2, True)]
    assert "garbage" in statements[1].text
