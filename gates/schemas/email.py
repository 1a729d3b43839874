from gates.schema import Field

SCHEMA = {
    "domains": Field("list[str]"),
    "dkim_selectors": Field("list[str]", "default: try the selectors common ESPs use"),
    "policy": Field("str", choices=("baseline", "strict", "bulk-sender")),
    "nameservers": Field("list[str]", "IP[:PORT]; default: the system resolver"),
    "timeout": Field("duration", "per DNS lookup (default 3s)"),
    "deadline": Field("duration", "for the whole run; lookups after it are timeouts (default 60s)"),
    "require_mta_sts": Field("bool", "MTA-STS and TLS-RPT problems (or their absence) block"),
    "mta_sts_fetch": Field("bool", "fetch the MTA-STS policy file over HTTPS (default true)"),
    "mta_sts_port": Field("int", "port of the policy server (default 443; another only for testing)"),
    "ca_bundle": Field("str", "extra CA bundle to verify the MTA-STS policy server"),
}
