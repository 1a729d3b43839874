from gates.schema import Field

SCHEMA = {
    "domains": Field("list[str]"),
    "dkim_selectors": Field("list[str]", "default: try the selectors common ESPs use"),
    "policy": Field("str", choices=("baseline", "strict", "bulk-sender")),
    "nameservers": Field("list[str]", "IP[:PORT]; default: the system resolver"),
    "timeout": Field("duration", "per DNS lookup (default 3s)"),
    "require_mta_sts": Field("bool", "MTA-STS and TLS-RPT problems (or their absence) block"),
}
