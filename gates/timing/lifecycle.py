"""The app under test: start it (`start`), wait until `ready` answers, stop it gracefully afterwards.

Without `start` the app is already running somewhere: the gate only checks that it answers at all, so an
unreachable target is "could not evaluate" (exit 3) and never a 100%-errors block.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from gates.errors import CannotEvaluate
from gates.redact import redact
from gates.timing.options import Options, secret_values

TLS_HINT = (" (the certificate did not verify: set [timing] ca_bundle to the CA's PEM file, or drop verify"
            " to time the app anyway)")


# A cookie-session login may answer a redirect (a form's POST-then-redirect) with its cookie: that is success.
LOGIN_STATUSES = (*range(200, 300), 301, 302, 303, 307, 308)


def _tls(options: Options) -> dict[str, Any]:
    # Timing measures speed, not certificates: unless `verify` is set, a self-signed staging app is timed.
    return {"verify": options.verify, "ca_bundle": str(options.ca_bundle) if options.ca_bundle else None}


def _probe(url: str, timeout: float, options: Options) -> str | None:
    """None when the URL answered with a status below 500; otherwise why not."""
    import httpx

    from gates.common.http import ClientSettings, build_client, classify

    with build_client(ClientSettings(timeout=timeout, **_tls(options))) as client:
        try:
            response = client.get(url)
        except httpx.HTTPError as exc:
            return classify(exc).message
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    return None


def check_reachable(options: Options) -> None:
    url = options.base_url + options.ready
    why = _probe(url, timeout=10.0, options=options)
    if why is not None:
        hint = " (set [timing] ready to a path that answers, e.g. /health)" if why.startswith("HTTP") else ""
        if options.verify and ("TLS" in why or "certificate" in why.lower()):
            hint = TLS_HINT
        raise CannotEvaluate(f"cannot reach {url}: {why}{hint}")


def check_login(options: Options) -> None:
    """One login before the load: wrong credentials stop the gate with the reason, not after a whole run."""
    if options.login is None or not any(route.auth for route in options.routes):
        return
    import httpx

    from gates.common.http import ClientSettings, LoginError, LoginSpec, build_client, login

    spec = LoginSpec(path=options.login.path, method=options.login.method, json=options.login.json,
                     form=options.login.form, headers=options.login.headers, token=options.login.token,
                     status=LOGIN_STATUSES if options.login.token is None else ())
    settings = ClientSettings(base_url=options.base_url, headers=dict(options.headers), **_tls(options))
    with build_client(settings) as client:
        try:
            login(client, spec)
        except LoginError as exc:
            raise CannotEvaluate(f"cannot log in for the auth = true routes: {exc.message}") from None
        except httpx.HTTPError as exc:
            raise CannotEvaluate(f"cannot log in for the auth = true routes: {exc}") from None


def _tail(log: IO[bytes], options: Options, lines: int = 20) -> str:
    """The end of the app's output, with every known secret masked (apps print their settings)."""
    log.flush()
    log.seek(0)
    text = log.read().decode(errors="replace").strip()
    return redact("\n".join(text.splitlines()[-lines:]), secret_values(options)) or "(no output)"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal: still there
        return True
    return True


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM to the app's process group, SIGKILL after the grace period.

    The group, not the process: a `start` that forks the app and exits (a shell with `&`, a launcher) left
    the app in the group, and it must go too. The leader is reaped so it never stays a zombie.
    """
    pgid = process.pid  # start_new_session: the group's id is the leader's pid, even after the leader exits
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        process.poll()
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        process.poll()  # reaps the leader as soon as it exits
        if not _group_alive(pgid):
            break
        time.sleep(0.05)
    else:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def _wait_ready(process: subprocess.Popen[bytes], options: Options, log: IO[bytes]) -> None:
    url, timeout = options.base_url + options.ready, options.ready_timeout
    deadline = time.monotonic() + timeout
    why: str | None = "not polled yet"
    while time.monotonic() < deadline:
        # Exit 0 may be a launcher that left the app running in its process group: keep polling for it.
        code = process.poll()
        if code is not None and (code != 0 or not _group_alive(process.pid)):
            foreground = (" and left nothing running: `start` must keep the app in the foreground (no --daemon,"
                          " no `-d`), so the gate can stop it afterwards") if code == 0 else ""
            raise CannotEvaluate(f"the app exited with code {code}{foreground} before {url} answered:\n"
                                 f"{_tail(log, options)}")
        why = _probe(url, timeout=2.0, options=options)
        if why is None:
            return
        time.sleep(0.2)
    raise CannotEvaluate(f"{url} did not answer within {timeout:g}s ({why}); app output:\n{_tail(log, options)}")


@contextmanager
def interrupted_on_sigterm() -> Iterator[None]:
    """SIGTERM (a cancelled CI job) unwinds like Ctrl-C, so the load and the started app are stopped.

    Python's default for SIGTERM is to die on the spot, skipping every `finally`: the app would keep
    running. Only the main thread may set a handler; elsewhere this does nothing.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        # Once: a second SIGTERM must not cut short the cleanup the first one started.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def running_app(options: Options) -> Iterator[None]:
    """Start the app when `start` is set (stopped again however the run ends); check it answers."""
    if not options.start:
        check_reachable(options)
        check_login(options)
        yield
        return
    url = options.base_url + options.ready
    if _probe(url, timeout=2.0, options=options) is None:
        # Something already answers where the started app will listen: the gate would time the old one.
        raise CannotEvaluate(f"{url} already answers before `start` ran: another app holds the address; stop it,"
                             " or drop `start` to time the running app")
    with tempfile.TemporaryFile() as log:
        process = _spawn(options.start, options.root, log)
        try:
            _wait_ready(process, options, log)
            check_login(options)
            yield
        finally:
            _stop(process, options.stop_timeout)


def _spawn(command: Sequence[str], cwd: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        # Own session: SIGTERM reaches the app and every child it started (a reloader, workers).
        return subprocess.Popen(list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise CannotEvaluate(f"cannot start the app ({' '.join(command)}): {exc.strerror or exc}") from None
