"""A loopback app with routes at known speeds, for the timing gate's tests and benchmark.

    GET  /health              200 at once
    GET  /fast                200 at once
    GET  /sleep/{ms}          200 after ms milliseconds (asyncio sleep: the server stays free)
    GET  /error?rate=0.05     500 for that fraction of requests (every 1/rate-th request, deterministic)
    GET  /contended           slower as concurrency grows: 20 ms per request in flight
    GET  /redirect            302 to /sign-in (like a session that expired)
    GET  /big?kb=1024         a body of that many KiB
    POST /login               {"email", "password"} -> {"access_token"} + a session cookie
    POST /login-html          200 with an HTML page, whatever is sent (a login form, not an API)
    POST /login-form          like /login, but answers 303 to / with the session cookie (a form login)
    GET  /private             200 with the bearer token or the session cookie, else 401

`serve(stall_every=2.0, stall_ms=300)` also blocks the whole event loop for 300 ms every 2 s, like a
garbage-collection pause: the case where a closed-loop load generator hides the stall (coordinated
omission). Run as a script (`python timing_app.py --port N`) for the gate's `start` lifecycle.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

PASSWORD = "timing-" + "hunter2-" + "pw"
TOKEN = "tt-" + "9c41" * 6
EMAIL = "demo@example.com"


class _State:
    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.in_flight = 0


def make_app(stall_every: float = 0.0, stall_ms: float = 0.0) -> Starlette:
    state = _State()

    async def fast(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def sleep(request: Request) -> Response:
        await asyncio.sleep(int(request.path_params["ms"]) / 1000)
        return PlainTextResponse("ok")

    async def error(request: Request) -> Response:
        rate = float(request.query_params.get("rate", "0.05"))
        number = next(state.counter)
        if rate > 0 and number % max(1, round(1 / rate)) == 0:
            return PlainTextResponse("boom", status_code=500)
        return PlainTextResponse("ok")

    async def contended(request: Request) -> Response:
        state.in_flight += 1
        try:
            await asyncio.sleep(0.02 * state.in_flight)
        finally:
            state.in_flight -= 1
        return PlainTextResponse("ok")

    async def login(request: Request) -> Response:
        try:
            body: Any = await request.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict) or body.get("email") != EMAIL or body.get("password") != PASSWORD:
            return JSONResponse({"error": "bad credentials"}, status_code=401)
        response = JSONResponse({"access_token": TOKEN})
        response.set_cookie("session", TOKEN, httponly=True)
        return response

    async def redirect(request: Request) -> Response:
        return RedirectResponse("/sign-in", status_code=302)

    async def big(request: Request) -> Response:
        return Response(b"x" * (int(request.query_params.get("kb", "1024")) * 1024))

    async def login_html(request: Request) -> Response:
        return HTMLResponse("<html><form>Sign in</form></html>")

    async def login_form(request: Request) -> Response:
        answer = await login(request)
        if answer.status_code != 200:
            return RedirectResponse("/sign-in?failed=1", status_code=303)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie("session", TOKEN, httponly=True)
        return response

    async def private(request: Request) -> Response:
        if request.headers.get("authorization") == f"Bearer {TOKEN}" or request.cookies.get("session") == TOKEN:
            return PlainTextResponse("welcome")
        return PlainTextResponse("sign in first", status_code=401)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_stall(stall_every, stall_ms)) if stall_every > 0 else None
        yield
        if task is not None:
            task.cancel()

    routes = [
        Route("/health", fast), Route("/fast", fast), Route("/sleep/{ms:int}", sleep), Route("/error", error),
        Route("/contended", contended), Route("/login", login, methods=["POST"]), Route("/private", private),
        Route("/redirect", redirect), Route("/big", big), Route("/login-html", login_html, methods=["POST"]),
        Route("/login-form", login_form, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _stall(every: float, ms: float) -> None:
    while True:
        await asyncio.sleep(every - ms / 1000)
        time.sleep(ms / 1000)  # blocks the event loop: every request waits, as in a GC pause


def free_port(host: str = "127.0.0.1") -> int:
    from tests.servers.threaded import bind  # (this file also runs as a script, where `tests` is not importable)

    with bind(host) as sock:
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(host: str = "127.0.0.1", stall_every: float = 0.0, stall_ms: float = 0.0,
          wrap: Callable[[ASGIApp], ASGIApp] | None = None, prefix: str = "",
          tls: tuple[str, str] | None = None) -> Iterator[str]:
    """Run the app under uvicorn in a background thread; yield its base URL. `wrap` adds ASGI middleware
    (the benchmark times each request server-side with it); `prefix` mounts the app under a path, as behind
    a reverse proxy; `tls` = (certfile, keyfile) serves HTTPS."""
    from tests.servers.threaded import ThreadedServer, bind

    sock = bind(host)
    port = sock.getsockname()[1]
    app: ASGIApp = make_app(stall_every, stall_ms)
    if prefix:
        app = Starlette(routes=[Mount(prefix, app=app)])
    certfile, keyfile = tls or (None, None)
    server = ThreadedServer(wrap(app) if wrap else app, sock, name="timing app", lifespan="on",
                            certfile=certfile, keyfile=keyfile)
    try:
        yield f"{'https' if tls else 'http'}://{host}:{port}{prefix}"
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pidfile", help="write the pid here (tests check the app is gone afterwards)")
    args = parser.parse_args()
    if args.pidfile:
        with open(args.pidfile, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
    config = uvicorn.Config(make_app(), host=args.host, port=args.port, log_level="info", access_log=False)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
