from __future__ import annotations

from pathlib import Path

import pytest

from gates.migrations.discover import SqlSource
from gates.migrations.rules import RULES, lint
from gates.migrations.statements import split

SETUP = "SET lock_timeout = '5s';\n"


def rules_for(sql: str, transactional: bool = False) -> list[str]:
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
]


@pytest.mark.parametrize(("rule", "risky", "safe"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_and_its_safe_variant(rule: str, risky: str, safe: str) -> None:
    assert rule in RULES
    assert rule in rules_for(SETUP + risky)
    assert rule not in rules_for(SETUP + safe)


def test_every_rule_has_an_example() -> None:
    covered = {case[0] for case in CASES} | {"concurrently-in-transaction", "lock-timeout-missing"}
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
    validated: set[str] = set()
    first = split(SqlSource(Path("1.sql"), SETUP + "ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;"))
    assert lint(first, False, validated) == [] and validated == {"users"}
    second = split(SqlSource(Path("2.sql"), SETUP + "ALTER TABLE users ALTER COLUMN name SET NOT NULL;"))
    assert lint(second, False, validated) == []
    assert [h.rule.id for h in lint(second, False, set())] == ["set-not-null"]


def test_lock_timeout_warned_once_before_the_first_locking_statement() -> None:
    hits = rules_for("ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;")
    assert hits == ["lock-timeout-missing"]
    assert rules_for("SET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;") == []


def test_inline_allow_suppresses_one_statement() -> None:
    sql = (SETUP + "-- gates: allow drop-column the app stopped reading it in release 41\n"
           "ALTER TABLE users DROP COLUMN legacy;\nALTER TABLE users DROP COLUMN other;\n")
    hits = lint(split(SqlSource(Path("m.sql"), sql)), False)
    assert [(h.rule.id, h.statement.line) for h in hits] == [("drop-column", 4)]


def test_unparsable_statements_are_left_to_postgresql() -> None:
    assert rules_for("creat table x ();\nDROP TABLE users;") == ["drop-table", "lock-timeout-missing"]
