from gates.schema import Field

SCHEMA = {
    "domains": Field("list[str]"),
    "dkim_selectors": Field("list[str]"),
    "policy": Field("str", choices=("baseline", "strict", "bulk-sender")),
    "nameservers": Field("list[str]", "IP[:PORT]; default: the system resolver"),
    "timeout": Field("duration"),
}
