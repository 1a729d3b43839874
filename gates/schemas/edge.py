from gates.schema import Field

SCHEMA = {
    "domain": Field("str"),
    "canonical": Field("str"),
    "hosts": Field("map[str]", "host -> serve | redirect", choices=("serve", "redirect")),
    "legacy_redirects": Field("map[str]"),
    "public_paths": Field("list[str]"),
    "private_paths": Field("list[str]"),
    "min_cert_days": Field("int"),
    "resolve": Field("list[str]"),
    "nameservers": Field("list[str]"),
    "ca_bundle": Field("str"),
    "timeout": Field("duration"),
    "login": Field("table"),
}
