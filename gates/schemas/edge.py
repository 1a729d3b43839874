from gates.schema import Field

SCHEMA = {
    "domain": Field("str", "the registered domain, e.g. example.com"),
    "canonical": Field("str", "the one origin everything lands on, e.g. https://example.com"),
    "hosts": Field("map[str]", "host -> serve | redirect", choices=("serve", "redirect")),
    "legacy_redirects": Field("map[str]", "old path -> new path or URL"),
    "public_paths": Field("list[str]", "should be cacheable at the edge"),
    "private_paths": Field("list[str]", "authenticated: must never be cached publicly"),
    "min_cert_days": Field("int", "warn when a certificate expires sooner (default 14; under 7 is an error)"),
    "resolve": Field("list[str]", "HOST:PORT:ADDR, like curl --resolve"),
    "nameservers": Field("list[str]", "IP[:PORT]; the gate's own connections use their answers too"),
    "ca_bundle": Field("str", "PEM file of trusted CAs (default: the system store)"),
    "timeout": Field("duration", "per DNS query, connection and request (default 10s)"),
    "http_port": Field("int", "port plain http:// URLs connect to (default 80; for loopback rehearsals)"),
    "https_port": Field("int", "port https:// URLs connect to (default 443; for loopback rehearsals)"),
    "login": Field(
        "record",
        "request whose answer sets the session cookie; its cookies also fetch private_paths",
        fields={
            "method": Field("str"),
            "path": Field("str"),
            "json": Field("any"),
            "form": Field("map[str]"),
            "headers": Field("map[str]"),
        },
    ),
}
