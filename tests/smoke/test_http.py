"""gates.common.http, the shared client: --resolve, --ca-bundle, login sessions, failure kinds, dotted paths."""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import httpx
import pytest

from gates.common.http import (
    ClientSettings,
    LoginError,
    LoginSpec,
    build_async_client,
    build_client,
    classify,
    credential_values,
    decode_body,
    dotted_get,
    login,
    parse_connect_to,
    parse_resolve,
)
from gates.errors import ConfigError
from tests.servers.http_app import HOSTNAME, PASSWORD, SESSION, TOKEN, Server, refused_port


def test_parse_resolve() -> None:
    assert parse_resolve(["App.Test:443:127.0.0.1", "app.test:80:[::1]"]) == {
        ("app.test", 443): "127.0.0.1", ("app.test", 80): "::1"}
    with pytest.raises(ConfigError, match="expected HOST:PORT:ADDR"):
        parse_resolve(["app.test"])


@pytest.mark.parametrize(("entry", "words"), [
    ("app.test:443:app.internal", "ADDR must be an IP address"),
    ("app.test:443:203.0.113.7,backend", "ADDR must be an IP address"),
    ("app.test:443:", "expected HOST:PORT:ADDR"),
    ("app.test:http:127.0.0.1", "expected a port number"),
    ("app.test:0:127.0.0.1", "expected a port number"),
])
def test_parse_resolve_rejects_what_is_not_an_address(entry: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_resolve([entry])


def test_parse_resolve_ipv6_idna_and_address_lists() -> None:
    assert parse_resolve(["[::1]:8080:127.0.0.1", "v6.test:443:::1", "Bücher.Test.:443:192.0.2.1,192.0.2.2"]) == {
        ("::1", 8080): "127.0.0.1", ("v6.test", 443): "::1", ("xn--bcher-kva.test", 443): "192.0.2.1"}


def test_parse_connect_to() -> None:
    assert parse_connect_to(["Example.test:443:127.0.0.1:8443", "example.test:80::8080", "a.test:443:[::1]:"]) == {
        ("example.test", 443): ("127.0.0.1", 8443), ("example.test", 80): ("example.test", 8080),
        ("a.test", 443): ("::1", 443)}
    for bad in ("example.test:443", "example.test:443::", "example.test:x:127.0.0.1:1", "example.test:1:h:99999"):
        with pytest.raises(ConfigError, match="connect-to"):
            parse_connect_to([bad])


def test_connect_to_moves_the_port_and_keeps_host_and_tls_name(tls_app: Server) -> None:
    # The logical origin is https://app.test (port 443); the rehearsal listens on 127.0.0.1:<ephemeral>.
    settings = ClientSettings(base_url=f"https://{HOSTNAME}", ca_bundle=tls_app.ca_bundle,
                              connect_to=(f"{HOSTNAME}:443:127.0.0.1:{tls_app.port}",))
    with build_client(settings) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.request.headers["host"] == HOSTNAME


def test_connect_to_then_resolve_and_the_dial_hook(app: Server) -> None:
    # As in curl: connect-to leads to a name, which --resolve then pins; `dial` answers for the rest.
    dialled: list[tuple[str, int]] = []

    def dial(host: str, port: int) -> tuple[str, int]:
        dialled.append((host, port))
        return "127.0.0.1", app.port

    settings = ClientSettings(connect_to=("shop.test:80:origin.test:" + str(app.port),),
                              resolve=(f"origin.test:{app.port}:127.0.0.1",), dial=dial)
    with build_client(settings) as client:
        assert client.get("http://shop.test/health").status_code == 200
        assert dialled == []
        assert client.get("http://other.test/health").status_code == 200
    assert dialled == [("other.test", 80)]


def test_resolve_matches_an_internationalised_host(app: Server) -> None:
    # The URL's host goes on the wire as xn--bcher-kva.test: the --resolve rule must match that name.
    settings = ClientSettings(base_url=f"http://bücher.test:{app.port}", resolve=(f"Bücher.test:{app.port}:127.0.0.1",))

    async def get() -> int:
        async with build_async_client(settings) as client:
            return (await client.get("/health")).status_code

    assert asyncio.run(get()) == 200


def test_keep_cookies_false_never_sends_an_answer_cookie_back(app: Server) -> None:
    with build_client(ClientSettings(base_url=app.url, keep_cookies=False)) as client:
        answer = client.post("/api/login", json={"password": PASSWORD})
        assert answer.cookies.get("session") == SESSION  # the answer still shows it
        assert client.get("/dashboard").status_code == 401  # but the client did not keep it


def test_credential_values() -> None:
    body = {"email": "demo@example.test", "password": "pw", "nested": {"api_key": "k"}, "otp": ["1", "2"]}
    assert credential_values(body) == {"pw", "k", "1", "2"}


def test_sync_client_resolve_keeps_host_and_tls_name(tls_app: Server) -> None:
    settings = ClientSettings(base_url=f"https://{HOSTNAME}:{tls_app.port}", ca_bundle=tls_app.ca_bundle,
                              resolve=(f"{HOSTNAME}:{tls_app.port}:127.0.0.1",))
    with build_client(settings) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.request.headers["host"] == f"{HOSTNAME}:{tls_app.port}"


def test_missing_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        build_client(ClientSettings(ca_bundle=str(tmp_path / "nope.pem")))


def test_login_cookie_is_kept_out_of_the_client(app: Server) -> None:
    with build_client(ClientSettings(base_url=app.url)) as client:
        session = login(client, LoginSpec("/api/login", json={"password": PASSWORD}))
        assert session.headers == {"Cookie": f"session={SESSION}"}
        assert SESSION in session.secrets
        assert client.get("/dashboard").status_code == 401  # anonymous requests stay anonymous
        assert client.get("/dashboard", headers=dict(session.headers)).status_code == 200


def test_login_bearer_token_and_failures(app: Server) -> None:
    with build_client(ClientSettings(base_url=app.url)) as client:
        session = login(client, LoginSpec("/api/token", json={"password": PASSWORD}, token="data.access_token"))
        assert session.headers == {"Authorization": f"Bearer {TOKEN}"}
        with pytest.raises(LoginError, match="status 401"):
            login(client, LoginSpec("/api/token", json={"password": "wrong"}, token="data.access_token"))
        with pytest.raises(LoginError, match="no bearer token at JSON field 'data.jwt'"):
            login(client, LoginSpec("/api/token", json={"password": PASSWORD}, token="data.jwt"))


def test_classify_real_failures(app: Server, tls_app: Server) -> None:
    with refused_port() as port, pytest.raises(httpx.HTTPError) as refused:
        httpx.get(f"http://127.0.0.1:{port}/")
    assert classify(refused.value).kind == "connect" and classify(refused.value).retryable
    with pytest.raises(httpx.HTTPError) as untrusted:
        httpx.get(tls_app.url)
    assert classify(untrusted.value).kind == "tls"
    with pytest.raises(httpx.HTTPError) as slow:
        httpx.get(app.url + "/slow?delay=2", timeout=0.1)
    assert classify(slow.value).kind == "timeout"


def test_classify_dns_and_tls_from_their_causes() -> None:
    # No test may look up a real name: build the exception chain httpx raises for one.
    def chained(cause: BaseException) -> httpx.ConnectError:
        try:
            raise httpx.ConnectError(str(cause)) from cause
        except httpx.ConnectError as exc:
            return exc

    dns = classify(chained(socket.gaierror(-2, "Name or service not known")))
    assert dns.kind == "dns" and dns.message.startswith("DNS:")
    tls = classify(chained(ssl.SSLCertVerificationError(1, "certificate verify failed")))
    assert tls.kind == "tls"
    assert classify(httpx.TooManyRedirects("Exceeded maximum allowed redirects.")).kind == "protocol"


def test_dotted_get() -> None:
    data = {"choices": [{"message": {"content": "hi"}}], "ok": True}
    assert dotted_get(data, "choices.0.message.content") == "hi"
    assert dotted_get(data, "") == data
    with pytest.raises(LookupError, match="no key 'missing'"):
        dotted_get(data, "choices.0.missing")
    with pytest.raises(LookupError, match="no index '3'"):
        dotted_get(data, "choices.3")


def test_decode_body_reads_the_declared_charset_and_never_raises() -> None:
    latin = "Café".encode("latin-1")
    assert decode_body(latin, 'text/html; charset="ISO-8859-1"') == "Café"
    assert decode_body(latin, "text/html; charset=x-unknown") == "Caf\ufffd"
    assert decode_body("Café".encode(), None) == "Café"
