"""Static rules on every migration statement, read from PostgreSQL's own parse tree (pglast).

Each rule says what hurts during a live deploy (data loss, a long ACCESS EXCLUSIVE lock, code that
still runs against the old shape) and the safe pattern. A table created earlier in the same
migration is new and empty: nothing on it can lose data or block traffic, so the rules skip it.
The semantics follow PostgreSQL 11+ (a constant ADD COLUMN default is metadata-only) and what
squawk and strong_migrations flag.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gates.migrations.catalog import (
    EARLIER_IN_RUN,
    NOT_VOLATILE,
    ONE_TRANSACTION_PER_RUN,
    RULES,
    SERIAL,
    TEXTUAL,
    WRAP_MODES,
    Rule,
)
from gates.migrations.statements import Statement, concurrent

__all__ = ["EARLIER_IN_RUN", "ONE_TRANSACTION_PER_RUN", "RULES", "WRAP_MODES", "History", "Hit", "Rule", "lint"]



@dataclass(frozen=True)
class Hit:
    rule: Rule
    statement: Statement
    detail: str


@dataclass
class History:
    """What earlier migrations of the set established, for the rules of later ones (updated in place)."""

    # "table.column" with a validated CHECK (column IS NOT NULL) (SET NOT NULL then skips its scan, PG 12+);
    # a bare "table" when a constraint of unknown definition was validated there (trusted, not to cry wolf)
    not_null: set[str] = field(default_factory=set)
    pending: dict[str, str] = field(default_factory=dict)  # NOT VALID not-null CHECK name -> "table.column"
    # --from: tables created by this change's earlier migrations are not in production yet (no rows, no
    # traffic), so nothing on them can hurt; None outside --from, where production's tables are unknown
    new_tables: set[str] | None = None
    # --from under a tool that runs every pending migration in one transaction (Alembic's default env.py,
    # Drizzle's migrator): enum values added by an earlier new migration, still uncommitted; None otherwise
    run_enum_values: set[str] | None = None


@dataclass
class MigrationState:
    """What earlier statements of the same migration established."""

    transactional: bool  # the framework wraps the migration in a transaction
    splits: bool = False  # …but runs statements that refuse a transaction block on their own (Supabase CLI)
    history: History = field(default_factory=History)
    created: set[str] = field(default_factory=set)
    in_block: bool = False
    lock_timeout: bool = False
    warned_lock_timeout: bool = False
    new_enum_values: set[str] = field(default_factory=set)  # added in this transaction: unusable until COMMIT
    earlier_enum_values: set[str] = field(default_factory=set)  # …by an earlier migration of the same run
    altered: set[str] = field(default_factory=set)  # existing tables ALTERed (ACCESS EXCLUSIVE) in this transaction

    @property
    def wrapped(self) -> bool:
        return self.transactional or self.in_block

    @property
    def refuses_standalone(self) -> bool:
        """A statement that cannot run in a transaction block fails here (the tool does not run it apart)."""
        return self.in_block or (self.transactional and not self.splits)


def lint(statements: list[Statement], transactional: bool | str, history: History | None = None) -> list[Hit]:
    """Every rule hit in one migration, minus those suppressed by `-- gates: allow <rule>`.

    `transactional`: how the framework runs the migration, one of WRAP_MODES (True means "multi":
    tools that wrap several statements run a single-statement migration on its own).
    `history`: what earlier migrations established; updated in place.
    """
    mode = ("multi" if transactional else "never") if isinstance(transactional, bool) else transactional
    sql = [s for s in statements if s.kind != "meta"]
    history = history or History()
    state = MigrationState(mode == "always" or (mode.startswith("multi") and len(sql) > 1), history=history,
                           splits=mode == "multi-split")
    state.created.update(history.new_tables or ())
    state.earlier_enum_values.update(history.run_enum_values or ())
    hits: list[Hit] = []
    for statement in statements:
        found: list[tuple[str, str]] = []
        if statement.kind == "meta":
            found.append(("psql-meta-command", statement.text[:60]))
        elif statement.node is None and statement.kind == "sql":  # never a silent pass: say it was not read
            found.append(("not-linted", statement.parse_error[:120]))
        elif statement.node is not None:
            found += _check(statement.node, state)
            found += _uses_new_enum_value(statement, state)
        for rule_id, detail in found:
            if rule_id not in statement.allowed and "all" not in statement.allowed:
                hits.append(Hit(RULES[rule_id], statement, detail))
    if history.new_tables is not None:
        history.new_tables.update(state.created)
    if history.run_enum_values is not None:  # what is still uncommitted when this migration ends
        history.run_enum_values.clear()
        history.run_enum_values.update(state.earlier_enum_values | state.new_enum_values)
    return hits


def _uses_new_enum_value(statement: Statement, state: MigrationState) -> list[tuple[str, str]]:
    if statement.node.kind == "AlterEnumStmt" or not state.wrapped:
        return []
    used = [value for value in state.new_enum_values if f"'{value}'" in statement.text]
    if used:
        return [("enum-value-in-transaction", f"'{used[0]}'")]
    earlier = [value for value in state.earlier_enum_values if f"'{value}'" in statement.text]
    if earlier:
        return [("enum-value-in-transaction", f"'{earlier[0]}' {EARLIER_IN_RUN}")]
    return []


def _name(relation: Any) -> str:
    return str(getattr(relation, "relname", "") or "").lower()


def _check(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    handler = _HANDLERS.get(node.kind)
    if handler is not None:
        yield from handler(node, state)


def _existing(state: MigrationState, table: str) -> bool:
    return bool(table) and table not in state.created


def _needs_lock_timeout(state: MigrationState, table: str) -> Iterator[tuple[str, str]]:
    if _existing(state, table) and not state.lock_timeout and not state.warned_lock_timeout:
        state.warned_lock_timeout = True
        yield "lock-timeout-missing", f"on table {table}"


def _create(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    state.created.add(_name(node.relation))
    # A foreign key takes a SHARE ROW EXCLUSIVE lock on the table it references: writes to it wait.
    for element in node.tableElts or ():
        for constraint in (element.constraints or ()) + (element,):
            referenced = _name(getattr(constraint, "pktable", None))
            if referenced and _existing(state, referenced):
                yield from _needs_lock_timeout(state, referenced)


def _create_as(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    state.created.add(_name(node.into.rel))
    return iter(())


def _transaction(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    kind = node.fields.get("kind")
    if kind in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
        state.in_block = True
    elif kind in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"):
        state.in_block = False
        state.transactional = False  # the framework's own transaction, if any, ended here
        state.new_enum_values.clear()
        state.earlier_enum_values.clear()
        state.altered.clear()
    return iter(())


def _set(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    if (node.name or "").lower() == "lock_timeout":
        values = [getattr(a, "fields", {}) for a in node.args or ()]
        zero = any(v.get("ival") == {} or v.get("sval", {}).get("sval") == "0" for v in values)
        # `SET lock_timeout = 0` and RESET turn it off again
        state.lock_timeout = node.fields.get("kind") == "VAR_SET_VALUE" and not zero
    return iter(())


def _alter_enum(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    if node.newVal:
        state.new_enum_values.add(str(node.newVal))
    return iter(())


def _reindex(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    what = _name(node.relation) or str(node.name or "")
    if concurrent(node):
        if state.refuses_standalone:
            yield "concurrently-in-transaction", f"REINDEX {what} CONCURRENTLY"
    else:
        yield "reindex-not-concurrently", what


def _cluster(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if not table or _existing(state, table):
        yield "cluster", table or "every clustered table"


def _trigger(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    # CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on its table: writes wait behind it
    yield from _needs_lock_timeout(state, _name(node.relation))


def _policy(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    # CREATE/ALTER POLICY take an ACCESS EXCLUSIVE lock on the table (Supabase migrations add many)
    yield from _needs_lock_timeout(state, _name(node.table))


def _set_schema(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if node.objectType == "OBJECT_TABLE" and _existing(state, table):
        yield "rename-table", f"{table} -> schema {node.newschema}"  # the running code's name no longer resolves
        yield from _needs_lock_timeout(state, table)


def _drop_database(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    yield "drop-database", str(node.dbname or "")
    yield from _outside_transaction_only(node, state)


def _drop(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    names = [".".join(str(getattr(p, "sval", "") or "") for p in (obj.items or ())) if obj.kind == "List"
             else str(obj.sval or "") if obj.kind == "String" else "" for obj in node.objects or ()]
    tables = [n.split(".")[-1].lower() for n in names]
    if node.removeType == "OBJECT_TABLE":
        existing = [t for t in tables if _existing(state, t)]
        if existing:
            yield "drop-table", ", ".join(existing)
            yield from _needs_lock_timeout(state, existing[0])
    elif node.removeType == "OBJECT_TRIGGER" and names:
        yield from _needs_lock_timeout(state, names[0].split(".")[-2].lower() if "." in names[0] else "")
    elif node.removeType == "OBJECT_INDEX":
        if node.concurrent and state.refuses_standalone:
            yield "concurrently-in-transaction", "DROP INDEX CONCURRENTLY"
        elif not node.concurrent:
            yield "drop-index-not-concurrently", ", ".join(names)
    if node.removeType == "OBJECT_SCHEMA" and node.behavior == "DROP_CASCADE":
        yield "drop-table", f"schema {', '.join(names)} and every table in it"
    if node.behavior == "DROP_CASCADE":
        yield "drop-cascade", ", ".join(names)


def _rename(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if not _existing(state, table):
        return
    if node.renameType == "OBJECT_COLUMN":
        yield "rename-column", f"{table}.{node.subname} -> {node.newname}"
    elif node.renameType in ("OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"):
        yield "rename-table", f"{table} -> {node.newname}"
    else:
        return
    yield from _needs_lock_timeout(state, table)


def _index(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if node.concurrent and state.refuses_standalone:
        yield "concurrently-in-transaction", f"index on {table}"
    elif not node.concurrent and _existing(state, table):
        yield "create-index-not-concurrently", f"index on {table}"
        yield from _needs_lock_timeout(state, table)  # a SHARE lock: writes queue behind it


def _alter(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if node.objtype != "OBJECT_TABLE" or not _existing(state, table):
        return
    locking = False
    for cmd in node.cmds or ():
        sub = cmd.subtype
        if sub == "AT_DropColumn":
            yield "drop-column", f"{table}.{cmd.name}"
            if cmd.behavior == "DROP_CASCADE":
                yield "drop-cascade", f"{table}.{cmd.name}"
        elif sub == "AT_AlterColumnType":
            yield _type_change(cmd), f"{table}.{cmd.name}"
        elif sub == "AT_SetNotNull" and not {table, f"{table}.{str(cmd.name).lower()}"} & state.history.not_null:
            yield "set-not-null", f"{table}.{cmd.name}"
        elif sub == "AT_ValidateConstraint":
            name = str(cmd.name or "").lower()
            state.history.not_null.add(state.history.pending.pop(name, table))
        elif sub == "AT_AddColumn":
            yield from _add_column(cmd.def_, table)
        elif sub == "AT_AddConstraint":
            _remember_not_null_check(cmd.def_, table, state.history)
            yield from _constraint(cmd.def_, table)
        elif sub in ("AT_SetLogged", "AT_SetUnLogged"):
            yield "set-logged", f"{table} {'LOGGED' if sub == 'AT_SetLogged' else 'UNLOGGED'}"
        locking = locking or sub not in ("AT_ValidateConstraint", "AT_SetStatistics")
    if locking:
        state.altered.add(table)
        yield from _needs_lock_timeout(state, table)


def _remember_not_null_check(constraint: Any, table: str, history: History) -> None:
    """A CHECK (col IS NOT NULL): validated now, or pending its VALIDATE CONSTRAINT when NOT VALID."""
    expr = constraint.fields.get("raw_expr") or {}
    test = expr.get("NullTest") if constraint.contype == "CONSTR_CHECK" and isinstance(expr, dict) else None
    if not test or test.get("nulltesttype") != "IS_NOT_NULL":
        return
    fields = test.get("arg", {}).get("ColumnRef", {}).get("fields", [])
    column = str(fields[-1].get("String", {}).get("sval", "")).lower() if fields else ""
    if not column:
        return
    if constraint.skip_validation:
        history.pending[str(constraint.conname or "").lower()] = f"{table}.{column}"
    else:
        history.not_null.add(f"{table}.{column}")


def _type_change(cmd: Any) -> str:
    # varchar(n) -> varchar(m > n) / text is binary-coercible (no rewrite), but only from a textual type
    # and without USING: a USING expression always rewrites the table
    names = [str(n.sval or "") for n in (cmd.def_.typeName.names or ())]
    textual = bool(names) and names[-1].lower() in TEXTUAL and not cmd.def_.fields.get("raw_default")
    return "alter-column-type-text" if textual else "alter-column-type"


def _add_column(column: Any, table: str) -> Iterator[tuple[str, str]]:
    constraints = column.constraints or ()
    types = [str(n.sval or "").lower() for n in (column.typeName.names or ())]
    default = next((c for c in constraints if c.contype == "CONSTR_DEFAULT"), None)
    if default is not None and (default.fields.get("raw_expr") or {}).get("A_Const", {}).get("isnull"):
        default = None  # DEFAULT NULL fills nothing
    where = f"{table}.{column.colname}"
    if types and types[-1] in SERIAL:
        yield "add-column-volatile-default", f"{where} ({types[-1]})"
    elif any(c.contype == "CONSTR_IDENTITY" for c in constraints):  # every existing row gets a sequence value
        yield "add-column-volatile-default", f"{where} (identity)"
    elif default is not None and (called := _calls_volatile(default.fields.get("raw_expr"))):
        yield "add-column-volatile-default", f"{where} ({called}())"
    # a VIRTUAL generated column (PostgreSQL 18) is computed on read: no rewrite
    if any(c.contype == "CONSTR_GENERATED" and c.generated_kind != "v" for c in constraints):
        yield "add-column-generated", where
    filled = default is not None or any(c.contype in ("CONSTR_IDENTITY", "CONSTR_GENERATED") for c in constraints) \
        or (bool(types) and types[-1] in SERIAL)
    if any(c.contype in ("CONSTR_NOTNULL", "CONSTR_PRIMARY") for c in constraints) and not filled:
        yield "add-not-null-column", where
    for constraint in constraints:
        if constraint.contype == "CONSTR_FOREIGN":
            yield "foreign-key-not-valid", where
        elif constraint.contype in ("CONSTR_UNIQUE", "CONSTR_PRIMARY"):
            yield "unique-constraint", where


def _constraint(constraint: Any, table: str) -> Iterator[tuple[str, str]]:
    name = constraint.conname or "unnamed"
    if constraint.contype == "CONSTR_FOREIGN" and not constraint.skip_validation:
        yield "foreign-key-not-valid", f"{table} ({name})"
    elif constraint.contype == "CONSTR_CHECK" and not constraint.skip_validation:
        yield "check-not-valid", f"{table} ({name})"
    elif constraint.contype in ("CONSTR_UNIQUE", "CONSTR_PRIMARY", "CONSTR_EXCLUSION") and not constraint.indexname:
        yield "unique-constraint", f"{table} ({name})"


def _calls_volatile(expr: Any) -> str:
    """The first function a raw expression tree (JSON) calls that is, or may be, volatile ("" if none)."""
    if isinstance(expr, dict):
        call = expr.get("FuncCall")
        if isinstance(call, dict):
            names = [part.get("String", {}).get("sval", "") for part in call.get("funcname", [])]
            name = str(names[-1]).lower() if names else ""
            if name and name not in NOT_VOLATILE:
                return name
        for value in expr.values():
            if found := _calls_volatile(value):
                return found
    if isinstance(expr, list):
        for value in expr:
            if found := _calls_volatile(value):
                return found
    return ""


def _truncate(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    tables = [_name(r) for r in node.relations or ()]
    existing = [t for t in tables if _existing(state, t)]
    if existing:
        yield "truncate", ", ".join(existing)
        yield from _needs_lock_timeout(state, existing[0])


def _delete(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if node.whereClause is None and _existing(state, table):
        yield "delete-without-where", table


def _update(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    table = _name(node.relation)
    if node.whereClause is None and _existing(state, table):
        yield "update-without-where", table
    if table in state.altered and state.wrapped:
        yield "backfill-in-transaction", table


def _alter_domain(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    # a domain's new CHECK is verified against every column of that domain in every table, under lock
    constraint = node.def_
    if node.subtype == "C" and constraint is not None and constraint.contype == "CONSTR_CHECK" \
            and not constraint.skip_validation:
        yield "check-not-valid", "domain " + ".".join(str(n.sval or "") for n in node.typeName or ())


def _vacuum(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    if any((getattr(o, "defname", "") or "").lower() == "full" for o in node.options or ()):
        yield "vacuum-full", ""
    if node.is_vacuumcmd and state.refuses_standalone:  # ANALYZE alone may run in a transaction
        yield "concurrently-in-transaction", "VACUUM"


def _outside_transaction_only(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    if state.refuses_standalone:
        what = {"CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE", "AlterSystemStmt": "ALTER SYSTEM"}
        yield "concurrently-in-transaction", what.get(node.kind, node.kind)


def _lock(node: Any, state: MigrationState) -> Iterator[tuple[str, str]]:
    tables = [_name(r) for r in node.relations or ()]
    if any(_existing(state, t) for t in tables):
        yield "lock-table", ", ".join(tables)


_HANDLERS = {
    "CreateStmt": _create, "CreateTableAsStmt": _create_as, "TransactionStmt": _transaction,
    "VariableSetStmt": _set, "DropStmt": _drop, "RenameStmt": _rename, "IndexStmt": _index,
    "AlterTableStmt": _alter, "TruncateStmt": _truncate, "DeleteStmt": _delete, "UpdateStmt": _update,
    "VacuumStmt": _vacuum, "LockStmt": _lock, "AlterEnumStmt": _alter_enum, "ReindexStmt": _reindex,
    "ClusterStmt": _cluster, "CreateTrigStmt": _trigger, "DropdbStmt": _drop_database, "CreatePolicyStmt": _policy,
    "AlterPolicyStmt": _policy, "AlterObjectSchemaStmt": _set_schema, "AlterDomainStmt": _alter_domain,
    "CreatedbStmt": _outside_transaction_only, "AlterSystemStmt": _outside_transaction_only,
}
