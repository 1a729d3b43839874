from gates.schema import Field

SCHEMA = {
    "baseline": Field("str", "detect-secrets baseline file, read as-is"),
    "paths": Field("list[str]", "files and folders scanned on disk besides git (build output)"),
    "logs": Field("list[str]", "log files to scan"),
    "mode": Field("str", "history | range | staged | paths", choices=("history", "range", "staged", "paths")),
    "range": Field("str", "BASE..HEAD"),
    "allow_shallow": Field("bool", "scan what a shallow clone has and say so"),
    "max_file_mb": Field("number", "read at most this many MB of each file on disk (default 50)"),
    "cache": Field("str", "cache directory for commits and lines already scanned clean (default .git/gates-cache; "
                          "\"off\" disables)"),
    "allow": Field(
        "records",
        "suppressions; each needs a reason",
        fields={
            "path": Field("str", "glob"),
            "rule": Field("str"),
            "fingerprint": Field("str"),
            "reason": Field("str", required=True),
        },
    ),
}
