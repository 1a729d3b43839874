"""gates.common.http, the shared client: --resolve, --ca-bundle, login sessions, failure kinds, dotted paths."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest

from gates.common.http import (
    ClientSettings,
    LoginError,
    LoginSpec,
    build_client,
    classify,
    dotted_get,
    login,
    parse_resolve,
)
from gates.errors import ConfigError
from tests.servers.http_app import HOSTNAME, PASSWORD, SESSION, TOKEN, Server, refused_port


def test_parse_resolve() -> None:
    assert parse_resolve(["App.Test:443:127.0.0.1", "app.test:80:[::1]"]) == {
        ("app.test", 443): "127.0.0.1", ("app.test", 80): "::1"}
    with pytest.raises(ConfigError, match="expected HOST:PORT:ADDR"):
        parse_resolve(["app.test"])


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
