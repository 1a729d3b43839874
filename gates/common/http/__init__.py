"""The HTTP client every web-facing gate uses (smoke, timing, edge, ai), written once.

Stable API:

    ClientSettings(base_url, resolve, ca_bundle, timeout, follow_redirects, headers, verify, max_connections,
                   connect_to, dial, keep_cookies)
    build_client(settings) -> httpx.Client            build_async_client(settings) -> httpx.AsyncClient
    parse_resolve(["HOST:PORT:ADDR", ...]) -> {(host, port): addr}     (raises ConfigError)
    parse_connect_to(["HOST1:PORT1:HOST2:PORT2", ...]) -> {(host, port): (host2, port2)}   (raises ConfigError)
    dialer(settings) -> Dial | None                   where a connection to (host, port) really goes
    host_key(host) -> str                            a host as connections see it (lowercase, xn--, no dot)
    url_problem(url), header_problem(name, value) -> str | None       config checks before any request
    HTTP_TOKEN                                       RFC 9110 token (methods, header names)
    decode_body(body, content_type) -> str           in the declared charset, never raising
    LoginSpec(path, method, json, form, headers, token, status)
    login(client, spec) -> Session                   await async_login(client, spec) -> Session
    Session.headers (send with authenticated requests), Session.secrets (for Report.secrets)
    credential_values(body) -> {str}                 values under password/token/key... keys of a login body
    classify(exc) -> Failure(kind, message, retryable)   kinds: dns, connect, tls, timeout, protocol
    dotted_get(data, "a.b.0.c") -> value               (raises LookupError)

`--resolve` works like curl's: the TCP connection goes to ADDR while the URL, the Host header, TLS SNI and
certificate verification keep using HOST, so a new origin can be checked before DNS points at it.
`connect_to` is curl's --connect-to: a logical HOST1:PORT1 is dialled at HOST2:PORT2 (either half may be
left empty to keep it), e.g. a rehearsal that serves https://example.com on 127.0.0.1:8443. As in curl, a
connect-to rule applies first and --resolve then pins the name it leads to. `dial` is the programmatic
form, consulted for whatever neither rule names (the edge gate's DNS-server world). It is all done with an
httpcore network backend that swaps the address at connect time, the one place that knows the host being
dialled. Host names are compared as the wire carries them: lowercased, IDNA (xn--) encoded, no final dot.

Login sessions are kept apart from the client: `login()` captures the cookies set by the login response
(or a bearer token from a JSON field) and clears the client's jar, so only requests that ask for the
session's headers are authenticated.
"""

from gates.common.http.client import (
    DEFAULT_TIMEOUT,
    FAILURE_KINDS,
    ClientSettings,
    Dial,
    Resolve,
    build_async_client,
    build_client,
    dialer,
    host_key,
    parse_connect_to,
    parse_resolve,
    ssl_context,
)
from gates.common.http.failures import Failure, classify
from gates.common.http.login import (
    CREDENTIAL_KEY,
    LoginError,
    LoginSpec,
    Session,
    async_login,
    credential_values,
    login,
    login_secrets,
)
from gates.common.http.values import HTTP_TOKEN, decode_body, dotted_get, header_problem, url_problem

__all__ = [
    "CREDENTIAL_KEY",
    "ClientSettings",
    "DEFAULT_TIMEOUT",
    "Dial",
    "FAILURE_KINDS",
    "Failure",
    "HTTP_TOKEN",
    "LoginError",
    "LoginSpec",
    "Resolve",
    "Session",
    "async_login",
    "build_async_client",
    "build_client",
    "classify",
    "credential_values",
    "decode_body",
    "dialer",
    "dotted_get",
    "header_problem",
    "host_key",
    "login",
    "login_secrets",
    "parse_connect_to",
    "parse_resolve",
    "ssl_context",
    "url_problem",
]
