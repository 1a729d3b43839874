from __future__ import annotations

from pathlib import Path

import pytest

from gates.migrations.discover import SqlSource
from gates.migrations.rules import RULES, History, lint
from gates.migrations.statements import split

SETUP = "SET lock_timeout = '5s';\n"


def rules_for(sql: str, transactional: bool | str = False) -> list[str]:
    return [hit.rule.id for hit in lint(split(SqlSource(Path("m.sql"), sql)), transactional)]


# (rule, risky statement on an existing table, its safe variant)
CASES = [
    ("drop-table", "DROP TABLE users;", "DROP VIEW IF EXISTS users_v;"),
    ("drop-column", "ALTER TABLE users DROP COLUMN email;", "ALTER TABLE users ADD COLUMN nick text;"),
    ("drop-cascade", "DROP VIEW v CASCADE;", "DROP VIEW v;"),
    ("rename-column", "ALTER TABLE users RENAME COLUMN email TO mail;", "ALTER TABLE users ADD COLUMN mail text;"),
    ("rename-table", "ALTER TABLE users RENAME TO people;", "CREATE VIEW people AS SELECT * FROM users;"),
    ("alter-column-type", "ALTER TABLE users ALTER COLUMN id TYPE bigint;", "ALTER TABLE users ADD COLUMN id2 bigint;"),
    ("alter-column-type-text", "ALTER TABLE users ALTER COLUMN name TYPE text;",
     "ALTER TABLE users ADD COLUMN name2 text;"),
    ("set-not-null", "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
     "ALTER TABLE users VALIDATE CONSTRAINT name_nn;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;"),
    ("add-not-null-column", "ALTER TABLE users ADD COLUMN age int NOT NULL;",
     "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;"),
    ("add-column-volatile-default", "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
     "ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();"),
    ("add-column-volatile-default", "ALTER TABLE users ADD COLUMN n bigserial;",
     "ALTER TABLE users ADD COLUMN n bigint;"),
    ("add-column-generated", "ALTER TABLE users ADD COLUMN l int GENERATED ALWAYS AS (length(name)) STORED;",
     "ALTER TABLE users ADD COLUMN l int;"),
    ("create-index-not-concurrently", "CREATE INDEX users_name ON users (name);",
     "CREATE INDEX CONCURRENTLY users_name ON users (name);"),
    ("drop-index-not-concurrently", "DROP INDEX users_name;", "DROP INDEX CONCURRENTLY users_name;"),
    ("foreign-key-not-valid", "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (uid) REFERENCES users (id);",
     "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (uid) REFERENCES users (id) NOT VALID;"),
    ("check-not-valid", "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0);",
     "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;"),
    ("unique-constraint", "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);",
     "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_email_idx;"),
    ("truncate", "TRUNCATE users;", "DELETE FROM users WHERE id = 1;"),
    ("delete-without-where", "DELETE FROM users;", "DELETE FROM users WHERE deleted;"),
    ("update-without-where", "UPDATE users SET name = 'x';", "UPDATE users SET name = 'x' WHERE id < 1000;"),
    ("vacuum-full", "VACUUM FULL users;", "VACUUM users;"),
    ("lock-table", "LOCK TABLE users;", "SELECT 1;"),
    ("cluster", "CLUSTER users USING users_pkey;", "ANALYZE users;"),
    ("reindex-not-concurrently", "REINDEX INDEX users_name;", "REINDEX INDEX CONCURRENTLY users_name;"),
    ("set-logged", "ALTER TABLE users SET UNLOGGED;", "CREATE UNLOGGED TABLE cache (k text);"),
    ("drop-database", "DROP DATABASE app;", "SELECT 1;"),
    ("enum-value-in-transaction", "BEGIN;\nALTER TYPE mood ADD VALUE 'sad';\n"
     "UPDATE users SET mood = 'sad' WHERE id = 1;\nCOMMIT;",
     "ALTER TYPE mood ADD VALUE 'sad';\nUPDATE users SET mood = 'sad' WHERE id = 1;"),
    ("psql-meta-command", "\\connect app\nSELECT 1;", "SELECT 1;"),
]


@pytest.mark.parametrize(("rule", "risky", "safe"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_and_its_safe_variant(rule: str, risky: str, safe: str) -> None:
    assert rule in RULES
    assert rule in rules_for(SETUP + risky)
    assert rule not in rules_for(SETUP + safe)


@pytest.mark.parametrize(("sql", "expected"), [
    # PostgreSQL 18 VIRTUAL generated columns are computed on read: no rewrite (was a false positive)
    ("ALTER TABLE users ADD COLUMN l int GENERATED ALWAYS AS (length(name)) VIRTUAL;", []),
    # an identity column fills every existing row from a sequence: a rewrite (was a false negative)
    ("ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;", ["add-column-volatile-default"]),
    # a primary-key column is NOT NULL: without a default it fails on rows (was a false negative)
    ("ALTER TABLE users ADD COLUMN k int PRIMARY KEY;", ["add-not-null-column", "unique-constraint"]),
    ("ALTER TABLE users ADD COLUMN k serial PRIMARY KEY;", ["add-column-volatile-default", "unique-constraint"]),
    # varchar(n) -> text is metadata-only, but a USING expression always rewrites
    ("ALTER TABLE users ALTER COLUMN name TYPE varchar(200);", ["alter-column-type-text"]),
    ("ALTER TABLE users ALTER COLUMN id TYPE text USING id::text;", ["alter-column-type"]),
    # renaming a view breaks the running code like renaming a table
    ("ALTER VIEW active_users RENAME TO current_users;", ["rename-table"]),
    ("ALTER TABLE users DROP COLUMN legacy CASCADE;", ["drop-column", "drop-cascade"]),
    ("ALTER TABLE users ADD PRIMARY KEY USING INDEX users_id_idx;", []),
    ("REINDEX TABLE CONCURRENTLY users;", []),
    ("CLUSTER;", ["cluster"]),
    # dropping a schema with CASCADE drops every table in it: data loss, not just a warning (was a warning)
    ("DROP SCHEMA billing CASCADE;", ["drop-table", "drop-cascade"]),
    # moving a table to another schema breaks the running code's name like a rename (was missed)
    ("ALTER TABLE users SET SCHEMA archive;", ["rename-table"]),
    ("ALTER TABLE users ADD COLUMN c int NOT NULL DEFAULT NULL;", ["add-not-null-column"]),
    ("ALTER TABLE b ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);", ["unique-constraint"]),
    ("ALTER DOMAIN positive ADD CONSTRAINT p CHECK (VALUE > 0);", ["check-not-valid"]),
    ("ALTER DOMAIN positive ADD CONSTRAINT p CHECK (VALUE > 0) NOT VALID;", []),
])

def test_postgresql_semantics(sql: str, expected: list[str]) -> None:
    assert rules_for(SETUP + sql) == expected


def test_a_backfill_in_the_transaction_that_altered_the_table() -> None:
    # strong_migrations' "backfilling data": the ALTER's lock is held for the whole UPDATE (was missed)
    sql = SETUP + "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free' WHERE plan IS NULL;"
    assert rules_for(sql, transactional="always") == ["backfill-in-transaction"]
    assert rules_for(sql, transactional="never") == []
    assert rules_for(sql.replace("UPDATE users", "UPDATE other"), transactional="always") == []


def test_concurrently_by_framework_transaction_mode() -> None:
    one = "CREATE INDEX CONCURRENTLY i ON users (a);"
    # Alembic, Django (atomic), dbmate and Drizzle wrap even a single statement: it fails (was missed)
    assert rules_for(one, transactional="always") == ["concurrently-in-transaction"]
    assert rules_for("REINDEX INDEX CONCURRENTLY i;", transactional="always") == ["concurrently-in-transaction"]
    assert rules_for("DROP INDEX CONCURRENTLY i;", transactional="always") == ["concurrently-in-transaction"]
    assert rules_for(one, transactional="multi") == [] and rules_for(one, transactional="never") == []
    # other statements that refuse a transaction block: the gate applies them outside one, so only this
    # rule sees that the framework's transaction makes them fail (were missed)
    assert rules_for("VACUUM users;", transactional="always") == ["concurrently-in-transaction"]
    assert rules_for("ANALYZE users;", transactional="always") == []
    assert rules_for("CREATE DATABASE reports;", transactional="always") == ["concurrently-in-transaction"]
    assert rules_for("SELECT 1;\nVACUUM users;", transactional="multi") == ["concurrently-in-transaction"]
    # the Supabase CLI runs such statements apart from the file's batch: no failure (was flagged)
    assert rules_for("SELECT 1;\nCREATE INDEX CONCURRENTLY i ON users (a);", transactional="multi-split") == []
    assert rules_for("BEGIN;\nCREATE INDEX CONCURRENTLY i ON users (a);\nCOMMIT;", transactional="multi-split") \
        == ["concurrently-in-transaction"]  # but not out of the file's own BEGIN
    # a migration that commits the framework's transaction itself (Alembic's autocommit_block) is fine after it
    assert rules_for("COMMIT;\n" + one + "\nBEGIN;", transactional="always") == []


def test_lock_timeout_turned_off_again_counts_as_missing() -> None:
    assert rules_for("SET lock_timeout = 0;\nALTER TABLE a ADD COLUMN x int;") == ["lock-timeout-missing"]
    assert rules_for("SET LOCAL lock_timeout = '3s';\nALTER TABLE a ADD COLUMN x int;") == []
    # a trigger takes a SHARE ROW EXCLUSIVE lock on its table
    trigger = "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();"
    assert rules_for(trigger) == ["lock-timeout-missing"]
    # CREATE POLICY takes an ACCESS EXCLUSIVE lock on an existing table (was missed)
    assert rules_for("CREATE POLICY own ON notes FOR SELECT USING (auth.uid() = owner);") == ["lock-timeout-missing"]
    assert rules_for("CREATE TABLE notes (id int);\nCREATE POLICY own ON notes USING (true);") == []


def test_every_rule_has_an_example() -> None:
    covered = {case[0] for case in CASES} | {"concurrently-in-transaction", "lock-timeout-missing", "not-linted",
                                              "backfill-in-transaction"}
    assert covered == set(RULES)


def test_a_table_created_in_the_same_migration_is_not_at_risk() -> None:
    sql = ("CREATE TABLE t (id int, name text);\nCREATE INDEX t_name ON t (name);\n"
           "ALTER TABLE t ADD COLUMN x int NOT NULL;\nALTER TABLE t ALTER COLUMN id TYPE bigint;\nDROP TABLE t;\n")
    assert rules_for(sql) == []


def test_concurrently_inside_a_transaction() -> None:
    assert "concurrently-in-transaction" in rules_for("BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;")
    two = "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i ON t (a);"
    assert "concurrently-in-transaction" in rules_for(two, transactional=True)
    assert rules_for(two) == []
    # alone in its migration, tools that wrap several statements run it on its own
    assert rules_for("CREATE INDEX CONCURRENTLY i ON t (a);", transactional=True) == []


def test_set_not_null_after_a_constraint_validated_in_an_earlier_migration() -> None:
    history = History()
    first = split(SqlSource(Path("1.sql"), SETUP + "ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;"))
    assert lint(first, False, history) == [] and history.not_null == {"users"}
    second = split(SqlSource(Path("2.sql"), SETUP + "ALTER TABLE users ALTER COLUMN name SET NOT NULL;"))
    assert lint(second, False, history) == []
    assert [h.rule.id for h in lint(second, False, History())] == ["set-not-null"]


def test_set_not_null_is_trusted_only_for_the_column_the_validated_check_covers() -> None:
    # before: any VALIDATE on the table silenced SET NOT NULL on every column of it
    history = History()
    lint(split(SqlSource(Path("1.sql"), SETUP + "ALTER TABLE users ADD CONSTRAINT nn CHECK (name IS NOT NULL) "
                         "NOT VALID;")), False, history)
    lint(split(SqlSource(Path("2.sql"), SETUP + "ALTER TABLE users VALIDATE CONSTRAINT nn;")), False, history)
    assert history.not_null == {"users.name"}
    name = split(SqlSource(Path("3.sql"), SETUP + "ALTER TABLE users ALTER COLUMN name SET NOT NULL;"))
    email = split(SqlSource(Path("4.sql"), SETUP + "ALTER TABLE users ALTER COLUMN email SET NOT NULL;"))
    assert lint(name, False, history) == []
    assert [h.rule.id for h in lint(email, False, history)] == ["set-not-null"]
    # a CHECK added without NOT VALID is validated at once: SET NOT NULL after it skips the scan too
    direct = SETUP + "ALTER TABLE users ADD CONSTRAINT nn CHECK (age IS NOT NULL);\n" \
        "ALTER TABLE users ALTER COLUMN age SET NOT NULL;"
    assert rules_for(direct) == ["check-not-valid"]


def test_lock_timeout_warned_once_before_the_first_locking_statement() -> None:
    hits = rules_for("ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;")
    assert hits == ["lock-timeout-missing"]
    assert rules_for("SET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;") == []


def test_inline_allow_suppresses_one_statement() -> None:
    sql = (SETUP + "-- gates: allow drop-column the app stopped reading it in release 41\n"
           "ALTER TABLE users DROP COLUMN legacy;\nALTER TABLE users DROP COLUMN other;\n")
    hits = lint(split(SqlSource(Path("m.sql"), sql)), False)
    assert [(h.rule.id, h.statement.line) for h in hits] == [("drop-column", 4)]


def test_unparsable_statements_are_left_to_postgresql_and_said_unchecked() -> None:
    # before: a statement the parser could not read was skipped by every rule without a word
    assert rules_for("creat table x ();\nDROP TABLE users;") == ["not-linted", "drop-table", "lock-timeout-missing"]


@pytest.mark.parametrize(("default", "flagged"), [
    ("now()", False), ("timezone('utc'::text, now())", False), ("auth.uid()", False), ("'{}'::jsonb", False),
    ("CURRENT_TIMESTAMP", False), ("gen_random_uuid()", True), ("uuid_generate_v7()", True),
    # a project's own function is VOLATILE unless declared otherwise (was missed); the dry run withdraws it
    # when PostgreSQL did not rewrite the table
    ("make_slug()", True),
])
def test_column_defaults_that_may_rewrite(default: str, flagged: bool) -> None:
    rules = rules_for(SETUP + f"ALTER TABLE users ADD COLUMN c text DEFAULT {default};")
    assert (rules == ["add-column-volatile-default"]) is flagged


def test_an_enum_value_used_by_a_later_migration_of_a_one_transaction_run() -> None:
    # Alembic's default env.py and Drizzle run every pending migration in one transaction (was missed)
    first = split(SqlSource(Path("1.py"), "ALTER TYPE mood ADD VALUE 'sad';"))
    second = split(SqlSource(Path("2.py"), "UPDATE people SET mood = 'sad' WHERE id = 1;"))
    run = History(run_enum_values=set())
    assert lint(first, "always", run) == []
    (hit,) = lint(second, "always", run)
    assert hit.rule.id == "enum-value-in-transaction" and "earlier migration" in hit.detail
    alone = History()  # outside --from, or a tool that commits each migration: nothing carried
    lint(first, "always", alone)
    assert lint(second, "always", alone) == []
