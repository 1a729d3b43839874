"""Each framework end to end on the real PostgreSQL: down paths, Supabase shim, Alembic, Django, --from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.migrations.conftest import checks, gate, write
from tests.servers.postgres import fresh_database

GO_UP = "CREATE TABLE items (id int PRIMARY KEY, name text);\n"


def test_down_path_proven(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {
        "db/migrations/1_items.up.sql": GO_UP, "db/migrations/1_items.down.sql": "DROP TABLE items;\n",
        "db/migrations/2_price.up.sql": "SET lock_timeout = '5s';\nALTER TABLE items ADD COLUMN price int;\n",
        "db/migrations/2_price.down.sql": "ALTER TABLE items DROP COLUMN price;\n",
    })
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 0, result.output
    down = checks(git_repo / "out.json")["db/migrations/down path"]
    assert down["status"] == "passed" and down["properties"]["downs_applied"] == 2
    assert down["message"].startswith("proven")


def test_down_that_does_not_undo_fails(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {
        "db/migrations/1_items.up.sql": GO_UP, "db/migrations/1_items.down.sql": "SELECT 1;\n",
        "db/migrations/2_bad.up.sql": "CREATE TABLE other (id int);\n",
        "db/migrations/2_bad.down.sql": "DROP TABLE missing_table;\n",
    })
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1, result.output
    down = checks(git_repo / "out.json")["db/migrations/down path"]
    assert down["findings"][0]["rule"] == "down-failed"
    assert down["findings"][0]["location"]["path"] == "db/migrations/2_bad.down.sql"

    write(git_repo, {"db/migrations/2_bad.down.sql": "DROP TABLE other;\n"})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1, result.output
    down = checks(git_repo / "out.json")["db/migrations/down path"]
    assert [f["rule"] for f in down["findings"]] == ["reapply-failed"]
    assert "1_items no longer applies" in down["findings"][0]["message"]


def test_flyway_undo_and_missing_undo(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {"sql/V1__init.sql": GO_UP, "sql/V2__idx.sql": "CREATE TABLE t2 (id int);\n",
                     "sql/U2__idx.sql": "DROP TABLE t2;\n"})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 0, result.output
    down = checks(git_repo / "out.json")["sql/down path"]
    assert down["properties"]["downs_applied"] == 1
    assert [f["rule"] for f in down["findings"]] == ["down-missing"]


def test_drizzle_breakpoints_and_prisma_in_a_monorepo(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {
        "drizzle/0000_init.sql": 'CREATE TABLE "a" (id int);\n--> statement-breakpoint\nCREATE TABLE "b" (id int);\n',
        "drizzle/meta/_journal.json": '{"entries": [{"idx": 0, "tag": "0000_init"}]}',
        "packages/prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        "packages/prisma/migrations/20240101_init/migration.sql": 'CREATE TABLE "User" (id serial PRIMARY KEY);\n',
    })
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 0, result.output
    found = checks(git_repo / "out.json")
    assert found["drizzle/0000_init"]["properties"]["statements"] == 2
    assert found["packages/prisma/migrations/20240101_init"]["status"] == "passed"


SUPABASE = """CREATE TABLE public.notes (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), body text);
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS http WITH SCHEMA extensions;
CREATE FUNCTION public.ping() RETURNS jsonb LANGUAGE sql AS $f$ SELECT extensions.http_get('https://example.com') $f$;
CREATE TABLE public.profiles (
  id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  slug uuid DEFAULT uuid_generate_v4(),
  avatar text
);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own profile" ON public.profiles FOR SELECT TO authenticated USING (auth.uid() = id);
INSERT INTO storage.buckets (id, name, public) VALUES ('avatars', 'avatars', true);
CREATE POLICY "own avatar" ON storage.objects FOR INSERT TO authenticated
  WITH CHECK (bucket_id = 'avatars' AND auth.uid()::text = (storage.foldername(name))[1]);
SELECT vault.create_secret('not-a-real-secret', 'webhook_key');
SELECT cron.schedule('ping', '*/5 * * * *', $$ SELECT net.http_post(url := 'https://example.com/hook') $$);
"""


def test_supabase_project_runs_on_the_shim(git_repo: Path, postgres_url: str) -> None:
    write(git_repo, {"supabase/config.toml": "", "supabase/migrations/20240101000000_init.sql": SUPABASE})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 0, result.output
    found = checks(git_repo / "out.json")
    assert found["supabase/migrations/supabase shim"]["status"] == "passed"
    init = found["supabase/migrations/20240101000000_init.sql"]
    assert init["status"] == "passed"
    assert "http" in init["properties"]["stubbed_extensions"]  # never silent: the report names each stub
    metrics = json.loads((git_repo / "out.json").read_text())["gates"][0]["metrics"]
    assert metrics["supabase_shim"] is True and "http" in metrics["stubbed_extensions"]


def test_from_ref_applies_the_base_then_checks_only_the_new_migrations(git_repo: Path, postgres_url: str) -> None:
    from tests.conftest import git

    write(git_repo, {"migrations/001.sql": "CREATE TABLE users (id serial PRIMARY KEY);\n"
                                           "ALTER TABLE users RENAME TO people;\n"})  # risky, but already shipped
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    write(git_repo, {"migrations/002.sql": "SET lock_timeout = '5s';\nALTER TABLE people ADD COLUMN name text;\n",
                     "migrations/003.sql": "CREATE TABLE tags (id int, name text);\n",
                     "migrations/004.sql": "CREATE INDEX tags_name ON tags (name);\nDROP TABLE tags;\n",
                     "migrations/005.sql": "CREATE INDEX people_name ON people (name);\n"})
    result = gate(["--database-url", postgres_url, "--from", "main", "--json", "out.json"])
    assert result.exit_code == 0, result.output
    found = checks(git_repo / "out.json")
    base = next(c for name, c in found.items() if name.startswith("migrations/base main"))
    assert base["status"] == "passed" and base["properties"]["migrations"] == 1
    assert "migrations/001.sql" not in found and found["migrations/002.sql"]["status"] == "passed"
    # a table this change created is not in production yet: nothing on it can hurt (was: drop-table, index...)
    assert found["migrations/004.sql"]["findings"] == []
    assert {f["rule"] for f in found["migrations/005.sql"]["findings"]} == {"create-index-not-concurrently",
                                                                            "lock-timeout-missing"}

    write(git_repo, {"migrations/001.sql": "CREATE TABLE users (id serial PRIMARY KEY, email text);\n"
                                           "ALTER TABLE users RENAME TO people;\n"})
    result = gate(["--database-url", postgres_url, "--from", "main", "--json", "out.json"])
    assert result.exit_code == 1, result.output
    assert checks(git_repo / "out.json")["migrations/001.sql"]["findings"][0]["rule"] == "migration-edited"

    result = gate(["--database-url", postgres_url, "--from", "no-such-branch"])
    assert result.exit_code == 3 and "no such commit" in result.output


ALEMBIC_INIT = '''"""init"""
from alembic import op
import sqlalchemy as sa

revision = "aaa111"
down_revision = None


def upgrade():
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("email", sa.String(200), nullable=False))


def downgrade():
    op.drop_table("account")
'''


ALEMBIC_MORE = '''"""more"""
from alembic import op
import sqlalchemy as sa

revision: str = "bbb222"
down_revision = "aaa111"


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column("account", sa.Column("name", sa.Text))
    op.drop_column("account", "email")


def downgrade():
    op.add_column("account", sa.Column("email", sa.String(200)))
    op.drop_column("account", "name")
'''

ALEMBIC_INDEXES = '''"""indexes"""
from alembic import op

revision = "ccc333"
down_revision = "bbb222"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("account_name", "account", ["name"], postgresql_concurrently=True)
    op.create_index("account_id2", "account", ["id"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("account_id2")
    op.drop_index("account_name")
'''


def test_alembic_upgrade_and_downgrade_run_as_offline_sql(git_repo: Path, postgres_url: str) -> None:
    pytest.importorskip("alembic", reason="Alembic is not installed in this environment")
    write(git_repo, {"alembic.ini": "[alembic]\nscript_location = db\n", "db/versions/aaa111_init.py": ALEMBIC_INIT,
                     "db/versions/bbb222_more.py": ALEMBIC_MORE, "db/versions/ccc333_indexes.py": ALEMBIC_INDEXES})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1, result.output
    found = checks(git_repo / "out.json")
    assert found["db/aaa111_init.py"]["status"] == "passed"
    more = found["db/bbb222_more.py"]
    assert [f["rule"] for f in more["findings"]] == ["drop-column"]
    assert more["findings"][0]["location"]["path"] == "db/versions/bbb222_more.py"
    # Alembic runs a revision in its transaction: CONCURRENTLY fails there, except in autocommit_block()
    indexes = found["db/ccc333_indexes.py"]
    assert [(f["rule"], "account_id2" in f["evidence"]) for f in indexes["findings"]] == [
        ("concurrently-in-transaction", True)]
    down = found["db/down path"]
    assert down["status"] == "passed" and down["properties"]["downs_applied"] == 3


DJANGO_0002 = '''from django.db import migrations


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunPython(forwards),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL("UPDATE shop_item SET price = 0", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL("DELETE FROM shop_item"),
    ]
'''


def test_django_run_python_without_reverse_is_reported_and_never_a_pass(git_repo: Path) -> None:
    write(git_repo, {"manage.py": "", "shop/migrations/__init__.py": "",
                     "shop/migrations/0001_initial.py": "from django.db import migrations\n",
                     "shop/migrations/0002_data.py": DJANGO_0002})
    result = gate(["--json", "out.json"])
    assert result.exit_code == 3, result.output
    check = checks(git_repo / "out.json")["shop/migrations"]
    assert check["status"] == "error" and "found but not executed" in check["message"]
    assert [(f["rule"], f["location"]["line"]) for f in check["findings"]] == [
        ("django-irreversible", 11), ("django-irreversible", 14)]


def test_alembic_not_installed_is_an_error_saying_so(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import subprocess

    import gates.migrations.alembic as alembic_module

    python = shutil.which("python3")
    if python is None or subprocess.run([python, "-c", "import alembic"], capture_output=True).returncode == 0:
        pytest.skip("needs a python3 without Alembic on PATH")
    monkeypatch.setattr(alembic_module, "PYTHON", python)
    write(git_repo, {"alembic.ini": "[alembic]\nscript_location = db\n", "db/versions/aaa111_init.py": ALEMBIC_INIT})
    result = gate(["--json", "out.json"])
    assert result.exit_code == 3, result.output
    check = checks(git_repo / "out.json")["db"]
    assert check["status"] == "error" and "Alembic is not installed" in check["message"]


DJANGO_MANAGE = '''import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
'''
DJANGO_SETTINGS = '''import os

SECRET_KEY = os.environ["SHOP_SECRET_KEY"]  # the kind of setting [migrations] env provides
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "unused.sqlite3"}}
'''
DJANGO_0001 = '''from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [migrations.CreateModel(name="Item", fields=[
        ("id", models.BigAutoField(primary_key=True, serialize=False)),
        ("name", models.CharField(max_length=100)),
        ("owner", models.ForeignKey(on_delete=models.CASCADE, to=settings.AUTH_USER_MODEL)),
    ])]
'''
DJANGO_0002_PRICE = '''from django.db import migrations, models


def fill(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField(model_name="item", name="price", field=models.IntegerField(default=0)),
        migrations.RunPython(fill),
    ]
'''

DJANGO_0003_NOT_ATOMIC = '''from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0002_price")]
    operations = [migrations.RunSQL(
        ["CREATE INDEX CONCURRENTLY shop_item_name ON shop_item (name)", "SET lock_timeout = '5s'"],
        reverse_sql="DROP INDEX CONCURRENTLY shop_item_name")]
'''
DJANGO_0004_ATOMIC = '''from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_index")]
    operations = [migrations.RunSQL("CREATE INDEX CONCURRENTLY shop_item_price ON shop_item (price)",
                                    reverse_sql="DROP INDEX shop_item_price")]
'''


def test_django_migrations_run_as_sqlmigrate_sql(git_repo: Path, postgres_url: str) -> None:
    pytest.importorskip("django", reason="Django is not installed in this environment")
    pytest.importorskip("psycopg", reason="Django's PostgreSQL backend needs psycopg")
    write(git_repo, {"manage.py": DJANGO_MANAGE, "proj/__init__.py": "", "proj/settings.py": DJANGO_SETTINGS,
                     "shop/__init__.py": "", "shop/migrations/__init__.py": "",
                     "shop/migrations/0001_initial.py": DJANGO_0001, "shop/migrations/0002_price.py": DJANGO_0002_PRICE,
                     "shop/migrations/0003_index.py": DJANGO_0003_NOT_ATOMIC,
                     "shop/migrations/0004_index.py": DJANGO_0004_ATOMIC,
                     "gates.toml": '[migrations]\nenv = { SHOP_SECRET_KEY = "test-only" }\n'})
    result = gate(["--database-url", postgres_url, "--json", "out.json"])
    assert result.exit_code == 1, result.output
    found = checks(git_repo / "out.json")
    assert found["base dependencies (Django and third-party apps)"]["status"] == "passed"
    assert found["shop/0001_initial"]["status"] == "passed"
    price = found["shop/0002_price"]
    assert price["properties"]["statements"] == 2 and price["status"] == "passed"
    # atomic = False runs without a transaction: CONCURRENTLY is fine there (was flagged as in a transaction);
    # an atomic migration wraps even one statement (was missed)
    assert found["shop/0003_index"]["status"] == "passed" and found["shop/0003_index"]["findings"] == []
    assert [f["rule"] for f in found["shop/0004_index"]["findings"]] == ["concurrently-in-transaction"]
    down = found["down path"]
    assert [f["rule"] for f in down["findings"]] == ["down-missing"]  # RunPython(fill) has no reverse
    assert "shop/0002_price" in down["findings"][0]["message"]


def test_drizzle_runs_the_new_migrations_in_one_transaction(git_repo: Path, postgres_url: str) -> None:
    from tests.conftest import git

    def journal(*tags: str) -> str:
        return json.dumps({"entries": [{"idx": i, "tag": tag} for i, tag in enumerate(tags)]})

    write(git_repo, {"drizzle/0000_init.sql": "CREATE TYPE mood AS ENUM ('ok');\n--> statement-breakpoint\n"
                                              "CREATE TABLE people (id int, mood mood);\n",
                     "drizzle/meta/_journal.json": journal("0000_init")})
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    write(git_repo, {"drizzle/0001_sad.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
                     "drizzle/0002_use.sql": "UPDATE people SET mood = 'sad' WHERE id = 1;\n",
                     "drizzle/meta/_journal.json": journal("0000_init", "0001_sad", "0002_use")})
    result = gate(["--database-url", fresh_database(postgres_url), "--from", "main", "--json", "out.json"])
    assert result.exit_code == 1, result.output
    use = checks(git_repo / "out.json")["drizzle/0002_use"]
    assert [f["rule"] for f in use["findings"]] == ["enum-value-in-transaction"]
