from __future__ import annotations

from pathlib import Path

import pytest

from gates.errors import ConfigError
from gates.migrations.discover import discover, summary
from gates.migrations.statements import split
from tests.migrations.conftest import write


def frameworks(root: Path) -> dict[str, list[str]]:
    return {s.framework: [m.name for m in s.migrations] for s in discover(root)}


def test_plain_folder_in_natural_order(tmp_path: Path) -> None:
    write(tmp_path, {"db/migrations/10_c.sql": "select 1;", "db/migrations/2_b.sql": "select 1;",
                     "db/migrations/1_a.sql": "select 1;"})
    assert frameworks(tmp_path) == {"sql": ["1_a.sql", "2_b.sql", "10_c.sql"]}


def test_supabase_and_prisma_in_a_monorepo(tmp_path: Path) -> None:
    write(tmp_path, {
        "supabase/config.toml": "", "supabase/migrations/20240101000000_init.sql": "select 1;",
        "supabase/migrations/20240201000000_more.sql": "select 1;",
        "packages/prisma/migrations/migration_lock.toml": 'provider = "postgresql"',
        "packages/prisma/migrations/20240101_init/migration.sql": "select 1;",
        "node_modules/x/migrations/1.sql": "select 1;",
    })
    assert frameworks(tmp_path) == {
        "prisma": ["20240101_init"],
        "supabase": ["20240101000000_init.sql", "20240201000000_more.sql"],
    }


def test_drizzle_follows_the_journal(tmp_path: Path) -> None:
    write(tmp_path, {
        "drizzle/0000_b.sql": "select 1;", "drizzle/0001_a.sql": "select 2;",
        "drizzle/meta/_journal.json": '{"entries": [{"idx": 1, "tag": "0000_b"}, {"idx": 0, "tag": "0001_a"}]}',
    })
    assert frameworks(tmp_path) == {"drizzle": ["0001_a", "0000_b"]}


def test_flyway_versions_and_undo(tmp_path: Path) -> None:
    write(tmp_path, {"sql/V1__init.sql": "select 1;", "sql/V1.10__later.sql": "select 1;",
                     "sql/V1.2__next.sql": "select 1;", "sql/U1.2__next.sql": "select 1;"})
    (found,) = discover(tmp_path)
    assert found.framework == "flyway" and found.has_down
    assert [m.name for m in found.migrations] == ["V1__init.sql", "V1.2__next.sql", "V1.10__later.sql"]
    assert [m.down is not None for m in found.migrations] == [False, True, False]


def test_golang_migrate_and_dbmate(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/migrations/1_x.up.sql": "select 1;", "a/migrations/1_x.down.sql": "select 2;",
        "b/db/migrations/20240101_x.sql": "-- migrate:up\ncreate table t();\n\n-- migrate:down\ndrop table t;\n",
    })
    sets = {s.framework: s for s in discover(tmp_path)}
    assert sets["golang-migrate"].migrations[0].down is not None
    dbmate = sets["dbmate"].migrations[0]
    assert dbmate.up.text.strip() == "create table t();" and split(dbmate.up)[0].line == 2
    assert dbmate.down is not None and dbmate.down.text.strip() == "drop table t;"


def test_alembic_is_found_but_not_runnable(tmp_path: Path) -> None:
    write(tmp_path, {"alembic.ini": "[alembic]\nscript_location = alembic\n",
                     "alembic/versions/abc_init.py": "revision = 'abc'\n"})
    (found,) = discover(tmp_path)
    assert found.framework == "alembic" and not found.runnable and found.files == 1
    assert "offline SQL" in found.note


def test_summary_names_what_was_not_found(tmp_path: Path) -> None:
    write(tmp_path, {"migrations/1.sql": "select 1;"})
    text = summary(discover(tmp_path), tmp_path)
    assert text.startswith("found: sql (1 migrations) at migrations")
    assert "did not find: supabase, prisma" in text


def test_configured_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        discover(tmp_path, ("nope",))
