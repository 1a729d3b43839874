"""The migration rules' catalog: each rule's id, severity, why it hurts during a live deploy, the safe
pattern; and the facts about PostgreSQL and the frameworks the rules rely on (rules.py applies them)."""

from __future__ import annotations

from dataclasses import dataclass

from gates.report import Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    why: str
    fix: str


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("drop-table", E, "drops a table and all its rows; code still deployed reads it",
         "stop using the table in a deploy first; drop it in a later migration, after a backup"),
    Rule("drop-column", E, "drops a column and its data; the running version still selects or writes it",
         "expand/contract: stop reading and writing the column, deploy, then drop it in a later migration"),
    Rule("drop-cascade", W, "CASCADE silently drops every dependent object (views, foreign keys)",
         "drop the dependent objects explicitly, then drop without CASCADE"),
    Rule("rename-column", E, "the running code still uses the old column name and fails until the deploy ends",
         "add the new column, write both, backfill, switch reads, then drop the old one"),
    Rule("rename-table", E, "the running code still uses the old table name and fails until the deploy ends",
         "create the new table (or a view under the old name), switch the code, then drop the old one"),
    Rule("alter-column-type", E, "changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock "
         "(and may narrow values); reads and writes wait", "add a new column of the new type, backfill in batches, "
         "switch the code, drop the old column"),
    Rule("alter-column-type-text", W, "to text/varchar: no rewrite only when the old type is varchar/text "
         "(binary-coercible); otherwise a rewrite under ACCESS EXCLUSIVE", "check the old type; if it is not "
         "varchar/text, use a new column and a backfill"),
    Rule("set-not-null", W, "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
         "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT; then SET NOT NULL "
         "(PostgreSQL 12+ skips the scan)"),
    Rule("add-not-null-column", E, "a NOT NULL column without a default fails on a table that has rows, "
         "and the running code does not write it", "add the column nullable (or with a constant default), backfill, "
         "then add NOT NULL via a validated CHECK"),
    Rule("add-column-volatile-default", E, "a volatile default (random(), gen_random_uuid(), clock_timestamp(), "
         "serial…) rewrites the whole table under an ACCESS EXCLUSIVE lock", "add the column without a default, "
         "set the default, backfill in batches"),
    Rule("add-column-generated", E, "a STORED generated column rewrites the whole table under ACCESS EXCLUSIVE",
         "add a plain column, fill it with a trigger and a batched backfill"),
    Rule("create-index-not-concurrently", W, "CREATE INDEX without CONCURRENTLY blocks writes to the table "
         "while the index builds", "CREATE INDEX CONCURRENTLY, outside a transaction"),
    Rule("concurrently-in-transaction", E, "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, "
         "CREATE/DROP DATABASE and ALTER SYSTEM cannot run inside a transaction block, and the framework runs "
         "this migration in one: it fails", "put the statement in its own non-transactional migration"),
    Rule("drop-index-not-concurrently", W, "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock",
         "DROP INDEX CONCURRENTLY, outside a transaction"),
    Rule("foreign-key-not-valid", W, "adding a foreign key validates every row while locking both tables",
         "ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a separate migration"),
    Rule("check-not-valid", W, "adding a CHECK constraint scans the table under an ACCESS EXCLUSIVE lock",
         "ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a separate migration"),
    Rule("unique-constraint", W, "adding a UNIQUE/PRIMARY KEY constraint builds an index under an ACCESS "
         "EXCLUSIVE lock", "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX"),
    Rule("backfill-in-transaction", W, "this UPDATE runs in the same transaction as an ALTER of the table: the "
         "ACCESS EXCLUSIVE lock is held until the whole backfill commits, blocking reads and writes",
         "backfill in a separate migration (or outside the deploy), in batches"),
    Rule("truncate", E, "TRUNCATE deletes every row", "delete the rows you mean, with a WHERE, in batches"),
    Rule("delete-without-where", E, "DELETE without WHERE deletes every row", "add a WHERE clause"),
    Rule("update-without-where", E, "UPDATE without WHERE rewrites every row in one long transaction",
         "add a WHERE clause; backfill in batches"),
    Rule("vacuum-full", W, "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock",
         "use plain VACUUM, or pg_repack"),
    Rule("lock-table", W, "an explicit LOCK blocks traffic for the rest of the transaction",
         "avoid explicit locks in migrations, or keep the transaction very short with lock_timeout"),
    Rule("cluster", W, "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: reads and writes wait",
         "pg_repack, or CLUSTER in a maintenance window, not in a deploy"),
    Rule("reindex-not-concurrently", W, "REINDEX without CONCURRENTLY blocks writes to the table and reads that "
         "use the index while it rebuilds", "REINDEX … CONCURRENTLY (PostgreSQL 12+), outside a transaction"),
    Rule("set-logged", W, "SET LOGGED / SET UNLOGGED rewrites the table under an ACCESS EXCLUSIVE lock "
         "(and UNLOGGED data is lost on a crash and not replicated)", "create the table with the persistence "
         "it needs; change it only in a maintenance window"),
    Rule("drop-database", E, "drops a whole database", "never drop a database from a migration"),
    Rule("enum-value-in-transaction", E, "a value added with ALTER TYPE … ADD VALUE cannot be used in the "
         "transaction that added it (unsafe use of new value); before PostgreSQL 12 ADD VALUE cannot run in a "
         "transaction at all", "add the enum value in its own migration, use it in the next one"),
    Rule("psql-meta-command", W, "a psql meta-command (\\connect, \\set…) is not SQL: migration tools other than "
         "psql fail on it, and the gate does not run it", "remove it, or run this migration with psql"),
    Rule("not-linted", W, "the gate's parser (pglast) could not read this statement, so no rule checked it",
         "check it by hand; if PostgreSQL accepts it, report the statement so the parser can be updated"),
    Rule("lock-timeout-missing", W, "this statement waits for a lock on a live table with no lock_timeout: "
         "behind one long query, it queues every other query on the table", "SET lock_timeout = '5s' at the top "
         "of the migration (and retry on timeout)"),
)}

# Functions a default commonly calls that are STABLE or IMMUTABLE: no rewrite. Any other function may be
# volatile (a CREATE FUNCTION without a volatility is VOLATILE): flagged, and withdrawn after applying when
# the table kept its file (rewrite.py), as PostgreSQL decided.
NOT_VOLATILE = frozenset({"now", "timezone", "transaction_timestamp", "current_setting", "to_jsonb", "to_json",
                          "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array",
                          "array_fill", "lower", "upper", "concat", "date_trunc", "make_interval", "make_date",
                          "to_timestamp", "to_date", "length", "btrim", "replace", "format", "md5", "abs",
                          "round", "floor", "ceil", "uid", "role", "email", "jwt", "inet", "interval"})
# How a framework runs a migration: "always" in one transaction (Alembic, Django, dbmate, Drizzle), "multi"
# in an implicit one only when it holds several statements (Prisma, golang-migrate, Flyway, Supabase run a
# single-statement file on its own), "multi-split" (like "multi", but CONCURRENTLY, VACUUM, ALTER SYSTEM…
# run apart from the batch: the Supabase CLI since v2.109), "never" (psql without --single-transaction).
WRAP_MODES = ("always", "multi", "multi-split", "never")
# Frameworks whose tool runs every pending migration in one transaction.
ONE_TRANSACTION_PER_RUN = frozenset({"alembic", "drizzle"})
EARLIER_IN_RUN = "added by an earlier migration of this change, in the same transaction"
SERIAL = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})
TEXTUAL = frozenset({"text", "varchar", "bpchar", "citext"})
