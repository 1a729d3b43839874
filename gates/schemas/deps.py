from gates.schema import Field

SCHEMA = {
    "files": Field("list[str]", "manifests and lockfiles; default: auto-detect"),
    "db": Field("str", "offline OSV database (dir or zip); absent = online services"),
    "service": Field("str", "online service", choices=("pypi", "osv")),
    "fail_on": Field("str", "lowest severity that blocks", choices=("low", "medium", "high", "critical")),
    "no_dev": Field("bool", "leave development-only dependencies out"),
    "no_resolve": Field("bool", "report unpinned requirements instead of resolving them"),
    "cache_dir": Field("str", "where the compiled OSV index is cached; default ~/.cache/gates/deps"),
    "osv_url": Field("str", "OSV query endpoint pip-audit asks (implies service = osv)"),
    "timeout": Field("number", "seconds pip-audit may wait on its service (online mode)"),
    "ignore": Field(
        "records",
        "advisories to ignore, each with a reason and an optional expiry",
        fields={
            "id": Field("str", required=True),
            "reason": Field("str", required=True),
            "until": Field("any", "date YYYY-MM-DD after which the ignore stops applying"),
        },
    ),
}
