"""A real uvicorn server in a background thread, on a loopback socket bound before it starts.

Every loopback test server (http_app, edge_app, timing_app, chat_app) runs through this one runner.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Any

import uvicorn


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound (not yet listening) socket: connections are refused until the server starts on it.

    proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the listening
    socket says TCP; without it Nagle plus delayed ACKs add ~40 ms to back-to-back keep-alive requests.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class ThreadedServer:
    """uvicorn serving `app` on `sock` in a daemon thread; `delay` seconds pass before it starts listening."""

    def __init__(self, app: Any, sock: socket.socket, *, name: str = "test server", lifespan: str = "off",
                 certfile: str | None = None, keyfile: str | None = None,
                 context: ssl.SSLContext | None = None, delay: float = 0.0) -> None:
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        kwargs: dict[str, Any] = {"ssl_certfile": certfile, "ssl_keyfile": keyfile}
        if context is not None:
            # uvicorn builds its context from files; the factory hands it ours (SNI callback, TLS floor).
            kwargs = {"ssl_certfile": "unused", "ssl_context_factory": lambda _config, _default: context}
        config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan=lifespan,  # type: ignore[arg-type]
                                timeout_graceful_shutdown=1, **kwargs)
        self.server = uvicorn.Server(config)
        self._stop = threading.Event()
        self._delay = delay
        self.thread = threading.Thread(target=self._serve, daemon=True, name=name)
        self.thread.start()
        if not delay:
            self._wait_started(name)

    def _serve(self) -> None:
        if self._delay and self._stop.wait(self._delay):
            return
        self.server.run(sockets=[self.sock])

    def _wait_started(self, name: str) -> None:
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                self.stop()
                self.join()
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self.server.should_exit = True
        self.server.force_exit = True  # do not wait for keep-alive connections: the test is over

    def join(self) -> None:
        self.thread.join(5)
        self.sock.close()

    def close(self) -> None:
        self.stop()
        self.join()
