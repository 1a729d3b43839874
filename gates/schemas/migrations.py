from gates.schema import Field

SCHEMA = {
    "path": Field("str|list[str]", "migration folder(s); default: auto-detect every framework found"),
    "framework": Field("str", "force one framework"),
    "database_url": Field("str", "existing server for a scratch database; empty = embedded PostgreSQL"),
    "i_know_this_is_not_production": Field("bool"),
    "lock_timeout": Field("duration"),
    "statement_timeout": Field("duration"),
    "env": Field("map[str]", "environment given to framework commands (Django settings and the like)"),
    "allow": Field(
        "records",
        "accepted risks",
        fields={"rule": Field("str"), "path": Field("str"), "reason": Field("str", required=True)},
    ),
}
