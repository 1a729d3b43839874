"""A loopback web app that is healthy, slow, flaky or broken on demand, for the web gates' tests and benchmarks.

    GET  /                     HTML homepage ("Welcome to Example Shop")
    GET  /health               {"status": "ok", "db": {"ok": true}, "version": "1.4.2"}
    GET  /slow?delay=S         answers after S seconds (default 1)
    GET  /flaky/{key}?fails=N&status=503   fails N times per key with `status`, then 200 {"status": "ok"}
    GET  /after/{key}?ok=N&status=500      answers 200 N times per key, then `status` (a release that degrades)
    GET  /blip/{key}?at=N&status=500       only the N-th request per key (from 0) fails with `status`
    GET  /error                500
    GET  /loop, /loop-b        a redirect loop
    GET  /redirect             302 to /
    GET  /status/{code}        that status
    POST /api/login            JSON {"email", "password"} -> 200 + `session` cookie, 401 otherwise
    POST /api/login-form       the same with a form body
    POST /api/token            JSON {"email", "password"} -> {"data": {"access_token": TOKEN}}
    GET  /dashboard            "Welcome back" with the session cookie or `Authorization: Bearer TOKEN`, else 401
    POST /api/items            a write: {"id": N} 201 (needs the session); DELETE /api/items/{id} is its cleanup
    GET  /json                 {"items": [{"name": "a"}, {"name": "b"}], "ok": true}
    GET  /typed                {"count": 1, "enabled": true, "parent": null}
    GET  /big?mb=N             N MB (default 64) of text streamed in 64 KiB chunks, "needle" at the start
    GET  /drip?n=N&every=S     N chunks (default 50), one every S seconds (default 0.1): an answer that trickles
    GET  /latin1               an HTML page in Latin-1 that declares no charset ("Café crème")
    POST /flaky/{key}          as GET: counts the attempts (a write the gate must not repeat)

`serve()` runs it under uvicorn on 127.0.0.1 with an ephemeral port in a background thread; `serve(tls=True)`
serves HTTPS with a trustme CA (`server.ca_bundle` is its PEM). `serve_late(delay)` holds the port (refusing
connections) and starts the app after `delay` seconds. `refused_port()` is a port nothing listens on.
`server.state` shows what happened (flaky counters, items created and deleted, requests seen).
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.servers.threaded import ThreadedServer, bind

EMAIL = "demo@example.com"
PASSWORD = "pw-" + "hunter2-" + "Zq81xk"
TOKEN = "tk-" + "9c4f1e" * 4
SESSION = "sess-" + "b71d02" * 4
HOSTNAME = "app.test"  # in the TLS certificate, for --resolve tests


@dataclass
class State:
    flaky: dict[str, int] = field(default_factory=dict)
    created: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _authed(request: Request) -> bool:
    return request.cookies.get("session") == SESSION or request.headers.get("authorization") == f"Bearer {TOKEN}"


def make_app(state: State) -> Starlette:
    async def home(request: Request) -> Response:
        return HTMLResponse("<html><body><h1>Welcome to Example Shop</h1></body></html>")

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "db": {"ok": True}, "version": "1.4.2"})

    async def slow(request: Request) -> Response:
        await asyncio.sleep(float(request.query_params.get("delay", "1")))
        return JSONResponse({"status": "ok"})

    async def flaky(request: Request) -> Response:
        key = request.path_params["key"]
        fails = int(request.query_params.get("fails", "1"))
        with state.lock:
            seen = state.flaky.get(key, 0)
            state.flaky[key] = seen + 1
        if seen < fails:
            return JSONResponse({"error": "warming up"}, status_code=int(request.query_params.get("status", "503")))
        return JSONResponse({"status": "ok"})

    async def after(request: Request) -> Response:
        key = "after:" + request.path_params["key"]
        with state.lock:
            seen = state.flaky.get(key, 0)
            state.flaky[key] = seen + 1
        if seen < int(request.query_params.get("ok", "1")):
            return JSONResponse({"status": "ok"})
        return JSONResponse({"error": "degraded"}, status_code=int(request.query_params.get("status", "500")))

    async def blip(request: Request) -> Response:
        key = "blip:" + request.path_params["key"]
        with state.lock:
            seen = state.flaky.get(key, 0)
            state.flaky[key] = seen + 1
        if seen == int(request.query_params.get("at", "1")):
            return JSONResponse({"error": "blip"}, status_code=int(request.query_params.get("status", "500")))
        return JSONResponse({"status": "ok"})

    async def status(request: Request) -> Response:
        return Response(f"status {request.path_params['code']}", status_code=int(request.path_params["code"]))

    async def error(request: Request) -> Response:
        return JSONResponse({"error": "boom"}, status_code=500)

    async def loop(request: Request) -> Response:
        return RedirectResponse("/loop-b" if request.url.path == "/loop" else "/loop", status_code=302)

    async def redirect(request: Request) -> Response:
        return RedirectResponse("/", status_code=302)

    async def login(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        return _login_response(body)

    async def login_form(request: Request) -> Response:
        # Parsed by hand: starlette's form parser needs python-multipart, which the suite does not install.
        return _login_response({k: v[0] for k, v in parse_qs((await request.body()).decode()).items()})

    async def token(request: Request) -> Response:
        body = await request.json()
        if not isinstance(body, dict) or body.get("password") != PASSWORD:
            return JSONResponse({"error": "bad credentials"}, status_code=401)
        return JSONResponse({"data": {"access_token": TOKEN, "user": EMAIL}})

    async def dashboard(request: Request) -> Response:
        if not _authed(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return HTMLResponse("<h1>Welcome back</h1>")

    async def create_item(request: Request) -> Response:
        if not _authed(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        with state.lock:
            item = len(state.created) + 1
            state.created.append(item)
        return JSONResponse({"id": item, "ok": True}, status_code=201)

    async def delete_item(request: Request) -> Response:
        if not _authed(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        with state.lock:
            state.deleted.append(int(request.path_params["item"]))
        return Response(status_code=204)

    async def data(request: Request) -> Response:
        return JSONResponse({"items": [{"name": "a"}, {"name": "b"}], "ok": True})

    async def typed(request: Request) -> Response:
        return JSONResponse({"count": 1, "enabled": True, "parent": None})

    async def big(request: Request) -> Response:
        chunks = int(float(request.query_params.get("mb", "64")) * 16)

        async def body() -> AsyncIterator[bytes]:
            yield b"needle "
            for _ in range(chunks):
                yield b"x" * 65536

        return StreamingResponse(body(), media_type="text/plain")

    async def drip(request: Request) -> Response:
        count, every = int(request.query_params.get("n", "50")), float(request.query_params.get("every", "0.1"))

        async def body() -> AsyncIterator[bytes]:
            for _ in range(count):
                yield b"data: tick\n\n"
                await asyncio.sleep(every)

        return StreamingResponse(body(), media_type="text/event-stream")

    async def latin1(request: Request) -> Response:
        return Response("<p>Café crème</p>".encode("latin-1"), media_type=None,
                        headers={"content-type": "text/html"})

    return Starlette(routes=[
        Route("/", home),
        Route("/health", health),
        Route("/slow", slow),
        Route("/flaky/{key}", flaky, methods=["GET", "POST"]),
        Route("/after/{key}", after),
        Route("/blip/{key}", blip),
        Route("/status/{code:int}", status),
        Route("/error", error),
        Route("/loop", loop),
        Route("/loop-b", loop),
        Route("/redirect", redirect),
        Route("/api/login", login, methods=["POST"]),
        Route("/api/login-form", login_form, methods=["POST"]),
        Route("/api/token", token, methods=["POST"]),
        Route("/dashboard", dashboard),
        Route("/api/items", create_item, methods=["POST"]),
        Route("/api/items/{item:int}", delete_item, methods=["DELETE"]),
        Route("/json", data),
        Route("/typed", typed),
        Route("/big", big),
        Route("/latin1", latin1),
        Route("/drip", drip),
    ], middleware=[Middleware(_Record, state=state)])


class _Record:
    """Pure ASGI middleware: note every request so tests can see what the gate sent."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            with self.state.lock:
                self.state.requests.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


def _login_response(body: object) -> Response:
    if not isinstance(body, dict) or body.get("password") != PASSWORD:
        return JSONResponse({"error": "bad credentials"}, status_code=401)
    response = JSONResponse({"ok": True})
    response.set_cookie("session", SESSION, httponly=True)
    return response


@dataclass
class Server:
    url: str
    port: int
    state: State
    ca_bundle: str | None = None  # PEM of the CA that signed the HTTPS certificate


def _tls_files(directory: Path) -> tuple[str, str, str]:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost", HOSTNAME)
    ca_path, cert_path = directory / "ca.pem", directory / "server.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_path))
    return str(ca_path), str(cert_path), str(cert_path)


@contextmanager
def _run(sock: socket.socket, state: State, tls: bool, delay: float = 0.0) -> Iterator[Server]:
    port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="gates-http-app-") as tmp:
        ca_bundle = certfile = keyfile = None
        if tls:
            ca_bundle, certfile, keyfile = _tls_files(Path(tmp))
        server = ThreadedServer(make_app(state), sock, name="http app", certfile=certfile, keyfile=keyfile,
                                delay=delay)
        scheme = "https" if tls else "http"
        try:
            yield Server(f"{scheme}://127.0.0.1:{port}", port, state, ca_bundle)
        finally:
            server.close()


@contextmanager
def serve(tls: bool = False) -> Iterator[Server]:
    """The app on 127.0.0.1 (HTTPS with a trustme CA when `tls`), in a background thread."""
    with _run(bind(), State(), tls) as server:
        yield server


@contextmanager
def serve_late(delay: float, tls: bool = False) -> Iterator[Server]:
    """The port is known (and refuses connections) at once; the app starts answering after `delay` s."""
    with _run(bind(), State(), tls, delay=delay) as server:
        yield server


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port held open but never listening: every connection is refused."""
    sock = bind()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
