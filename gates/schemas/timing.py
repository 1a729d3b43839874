from gates.schema import Field

_BUDGET = {
    "p50_ms": Field("number"),
    "p95_ms": Field("number"),
    "p99_ms": Field("number"),
    "max_error_rate": Field("number", "fraction of requests, 0.01 = 1%"),
}

SCHEMA = {
    "base_url": Field("str"),
    "start": Field("str|list[str]", "command that starts the app; the gate stops it afterwards"),
    "ready": Field("str", "path polled until the app answers (default /)"),
    "ready_timeout": Field("duration", "how long to wait for `ready` (default 60s)"),
    "stop_timeout": Field("duration", "grace between SIGTERM and SIGKILL (default 10s)"),
    "users": Field("int", "closed workload: simulated users (default 25); open workload: connections"),
    "spawn_rate": Field("number", "users started per second (default: all in one second)"),
    "duration": Field("duration", "measured load time (default 30s)"),
    "warmup": Field("duration", "load before measuring, excluded from the figures (default 0s)"),
    "think_time": Field("any", "seconds a user pauses between requests: 1, [0.5, 1.5] or \"0.5-1.5\""),
    "arrival_rate": Field("number", "open workload: requests per second, latency from the scheduled send time"),
    "min_requests": Field("int", "fewer requests for a route make it inconclusive (default 200)"),
    "timeout": Field("duration", "hard limit for the whole load run (default: warmup + duration + 60s)"),
    "headers": Field("map[str]", "headers sent with every request"),
    "baseline": Field("str", "baseline file (default .gates/timing-baseline.json)"),
    "update_baseline": Field("bool", "append this run to the baseline when every route passed"),
    "baseline_runs": Field("int", "compare against the median of the last N like runs (default 5)"),
    "regression_pct": Field("number", "a regression must exceed this percentage (default 20)"),
    "regression_ms": Field("number", "... and this many milliseconds (default 25)"),
    "max_regression": Field("number", "regression_pct as a fraction (0.2 = 20%)"),
    "ramp": Field("int|list[int]", "capacity finder: user steps, e.g. [10, 25, 50, 100]"),
    "html": Field("str", "write a self-contained HTML chart report here"),
    "login": Field(
        "record",
        fields={
            "method": Field("str"),
            "path": Field("str", required=True),
            "json": Field("any"),
            "form": Field("map[str]"),
            "headers": Field("map[str]"),
            "token": Field("str", "JSON field holding a bearer token; omit to use the session cookie"),
        },
    ),
    "budgets": Field(
        "record",
        "class budgets overriding the defaults",
        fields={name: Field("record", fields=_BUDGET) for name in ("read", "write", "ai")},
    ),
    "routes": Field(
        "records",
        fields={
            "name": Field("str", required=True),
            "method": Field("str"),
            "path": Field("str", required=True),
            "weight": Field("number"),
            "json": Field("any"),
            "body": Field("str"),
            "headers": Field("map[str]"),
            "auth": Field("bool"),
            "class": Field("str", choices=("read", "write", "ai")),
            **_BUDGET,
        },
    ),
}
