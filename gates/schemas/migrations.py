from gates.schema import Field

SCHEMA = {
    "path": Field("str|list[str]", "migration folder(s); default: auto-detect every framework found"),
    "framework": Field(
        "str", "force one framework",
        choices=("supabase", "prisma", "drizzle", "flyway", "golang-migrate", "dbmate", "alembic", "django", "sql"),
    ),
    "database_url": Field("str", "existing server for a scratch database; empty = DATABASE_URL, else a local one"),
    "i_know_this_is_not_production": Field("bool", "allow a database_url whose database already has tables"),
    "schema": Field("str", "baseline schema (pg_dump --schema-only) applied before the first migration"),
    "from_ref": Field("str", "--from: apply the migrations as of this commit first, then check only the new ones"),
    "seed": Field("bool", "insert synthetic rows into empty tables between migrations (default: true)"),
    "lock_timeout": Field("duration", "lock_timeout set while applying (default: none)"),
    "statement_timeout": Field("duration", "statement_timeout set while applying (default: 300s)"),
    "env": Field("map[str]", "environment given to framework commands (Django settings and the like)"),
    "allow": Field(
        "records",
        "accepted risks",
        fields={"rule": Field("str"), "path": Field("str"), "reason": Field("str", required=True)},
    ),
}
