"""The load generator: Locust as a library, run as its own process (`python -I worker.py < spec.json`).

Importing locust monkey-patches the whole interpreter with gevent, so this file is never imported by the
gates process: the parent starts it with a JSON spec on stdin (never argv: it may hold a password) and
reads one JSON result file back. It keeps every sample at full resolution (Locust's own percentiles are
rounded to 10 ms steps above 100 ms); the parent computes the figures.

Closed workload: `users` Locust FastHttpUsers, each picking a route by weight, then pausing `think_time`.
Open workload: requests are scheduled at `arrival_rate` per second whatever the server does, and each
latency is measured from its scheduled send time, so a stalled server cannot hide its stall by slowing
the generator down (coordinated omission).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import random
import sys
import time
from typing import Any

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import gevent.pool  # noqa: E402
import gevent.ssl  # noqa: E402
import locust  # noqa: E402
from locust import FastHttpUser, between, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpSession  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402

# Run with -I, this process sees no PYTHONPATH: a gates run from a source tree (not installed) is found
# where this file lives, after everything installed.
sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from gates.timing.recorder import LOGIN_NAME, Recorder, describe  # noqa: E402

# Everything imported so far lives as long as the process: out of the collector's reach, a full collection
# walks only the objects the run itself creates (otherwise a pause of milliseconds, counted as latency).
gc.collect()
gc.freeze()

def _request_kwargs(route: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    # Redirects are not followed: the route's own answer is timed (a 302 to a login page is not the page).
    kwargs: dict[str, Any] = {"name": route["name"], "headers": {**headers, **route.get("headers", {})},
                              "allow_redirects": False}
    if route.get("json") is not None:
        kwargs["json"] = route["json"]
    elif route.get("body") is not None:
        kwargs["data"] = route["body"]
    return kwargs


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def log_in(session: FastHttpSession, login: dict[str, Any], headers: dict[str, str],
           recorder: Recorder) -> dict[str, str]:
    """Sign in on this session; the headers later auth requests need (a bearer token, or none: cookies).

    A login that answers 2xx without the configured token field (an HTML page, a JSON error) failed.
    """
    # Not followed, as in the gate's own check: a failed form login redirects to a page that answers 200.
    kwargs: dict[str, Any] = {"name": LOGIN_NAME, "headers": {**headers, **login.get("headers", {})},
                              "allow_redirects": False}
    if login.get("json") is not None:
        kwargs["json"] = login["json"]
    elif login.get("form") is not None:
        kwargs["data"] = login["form"]
    try:
        response = session.request(login.get("method", "POST"), login["path"], **kwargs)
    except Exception as exc:  # noqa: BLE001 - one user's failed login must not stop the others
        recorder.login(describe(exc, None))
        return {}
    status = getattr(response, "status_code", 0) or 0
    redirected = status in (301, 302, 303, 307, 308) and not login.get("token")  # a form login's success
    if not (200 <= status < 300 or redirected):
        recorder.login(f"HTTP {status}" if status else describe(getattr(response, "error", None), None))
        return {}
    if not login.get("token"):
        recorder.login(None)
        return {}
    try:
        token = _dig(json.loads(response.content or b"null"), login["token"])
    except ValueError:
        recorder.login(f"the login answer is not JSON (no {login['token']!r} field)")
        return {}
    if not isinstance(token, str) or not token:
        recorder.login(f"no {login['token']!r} field in the login answer")
        return {}
    recorder.login(None)
    return {"Authorization": f"Bearer {token}"}


class Picker:
    """A route by weight; the cumulative weights are computed once, not per request."""

    def __init__(self, routes: list[dict[str, Any]]) -> None:
        self.routes = routes
        self.cumulative = list(itertools.accumulate(r.get("weight", 1.0) for r in routes))

    def __call__(self) -> dict[str, Any]:
        if len(self.routes) == 1:
            return self.routes[0]
        return random.choices(self.routes, cum_weights=self.cumulative)[0]


def _prepared(routes: list[dict[str, Any]], headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each route's request arguments, built once."""
    return {route["name"]: _request_kwargs(route, headers) for route in routes}


def run_closed(spec: dict[str, Any], recorder: Recorder) -> bool:
    routes, headers, login = spec["routes"], spec.get("headers", {}), spec.get("login")

    pick, prepared = Picker(routes), _prepared(routes, headers)
    # Requests on the wire (route name, wall-clock start): those still waiting when the run stops are errors.
    in_flight: dict[int, tuple[str, float]] = {}
    numbers = itertools.count()
    stopping = gevent.event.Event()

    class GatesUser(FastHttpUser):
        host = spec["base_url"]
        insecure = not spec.get("verify")
        ssl_context_factory = staticmethod(_ssl_factory(spec))
        wait_time = between(*spec["think_time"])
        network_timeout = spec.get("request_timeout", 60.0)
        connection_timeout = spec.get("request_timeout", 60.0)
        kwargs: dict[str, dict[str, Any]] = {}

        def on_start(self) -> None:
            self.kwargs = prepared
            if login and any(r.get("auth") for r in routes):
                auth = log_in(self.client, login, headers, recorder)
                self.kwargs = _prepared(routes, headers)
                for route in routes:
                    if route.get("auth"):
                        self.kwargs[route["name"]]["headers"].update(auth)

        @task
        def one_route(self) -> None:
            if stopping.is_set():
                raise StopUser()  # the run is over: no new request, the ones on the wire may finish
            route = pick()
            number = next(numbers)
            in_flight[number] = (route["name"], time.time())
            try:
                self.client.request(route["method"], route["path"], **self.kwargs[route["name"]])
            finally:
                in_flight.pop(number, None)

    env = Environment(user_classes=[GatesUser], host=spec["base_url"])
    env.events.request.add_listener(recorder.record)  # type: ignore[no-untyped-call]
    env.events.user_error.add_listener(_crash_listener(recorder))  # type: ignore[no-untyped-call]
    runner = env.create_local_runner()
    spawn_rate = spec.get("spawn_rate") or spec["users"]
    runner.start(spec["users"], spawn_rate=spawn_rate)
    gevent.sleep(spec["warmup"] + spec["duration"])
    stopping.set()
    # Requests on the wire finish with their real latency; one still unanswered after the drain is an error.
    drain_until = time.monotonic() + spec.get("drain", 10.0)
    while in_flight and time.monotonic() < drain_until:
        gevent.sleep(0.01)
    recorder.closed = True  # from here on, answers come after the end
    still_waiting = list(in_flight.values())  # before quit() kills the users and their requests with them
    runner.quit()
    for name, started in still_waiting:
        recorder.unanswered(name, started_wall=started)
    return bool(runner.cpu_warning_emitted) or _cpu_busy(recorder)


def _ssl_factory(spec: dict[str, Any]) -> Any:
    """None (Locust's default) unless a CA bundle is given: then contexts trust that bundle only."""
    ca_bundle = spec.get("ca_bundle")
    if not ca_bundle:
        return None

    def factory(cafile: str | None = None) -> Any:
        return gevent.ssl.create_default_context(cafile=ca_bundle)

    return factory


def _crash_listener(recorder: Recorder) -> Any:
    """Locust logs an exception in a user's task and goes on: the gate stops with it instead (exit 3)."""

    def on_error(user_instance: Any, exception: BaseException, tb: Any) -> None:
        if not recorder.crash:
            recorder.crash = f"{type(exception).__name__}: {exception}"[:500]

    return on_error


def run_open(spec: dict[str, Any], recorder: Recorder) -> bool:
    """Send at a fixed rate whatever happens; `users` bounds the connections, never the schedule."""
    routes, headers, login = spec["routes"], spec.get("headers", {}), spec.get("login")
    env = Environment(host=spec["base_url"])
    env.events.request.add_listener(recorder.record)  # type: ignore[no-untyped-call]
    session = FastHttpSession(spec["base_url"], env.events.request, user=None, concurrency=spec["users"],
                              insecure=not spec.get("verify"), ssl_context_factory=_ssl_factory(spec),
                              network_timeout=spec.get("request_timeout", 60.0),
                              connection_timeout=spec.get("request_timeout", 60.0))
    auth = log_in(session, login, headers, recorder) if login and any(r.get("auth") for r in routes) else {}
    pick, prepared = Picker(routes), _prepared(routes, headers)
    for route in routes:
        if route.get("auth"):
            prepared[route["name"]]["headers"].update(auth)
    pool = gevent.pool.Group()
    interval = 1.0 / spec["arrival_rate"]
    first = time.perf_counter()
    end = first + spec["warmup"] + spec["duration"]
    # Recorder offsets for the open workload count from the first scheduled send.
    recorder.start_perf = first
    index = 0
    in_flight: dict[int, tuple[str, float]] = {}

    def send(number: int, route: dict[str, Any], scheduled: float) -> None:
        try:
            session.request(route["method"], route["path"], context={"scheduled": scheduled},
                            **prepared[route["name"]])
        except Exception as exc:  # noqa: BLE001 - reported as a crash of the generator, not lost
            recorder.crash = recorder.crash or f"{type(exc).__name__}: {exc}"[:500]
        finally:
            in_flight.pop(number, None)

    while True:
        scheduled = first + index * interval
        if scheduled >= end:
            break
        delay = scheduled - time.perf_counter()
        if delay > 0:
            gevent.sleep(delay)
        route = pick()
        in_flight[index] = (route["name"], scheduled)  # from now on, even before its greenlet first runs
        pool.spawn(send, index, route, scheduled)
        index += 1
    pool.join(timeout=spec.get("drain", 10.0))
    # A request still unanswered after the drain is an error with the latency it has reached so far.
    recorder.closed = True
    for name, scheduled in list(in_flight.values()):
        recorder.unanswered(name, scheduled=scheduled)
    pool.kill(block=False)
    return _cpu_busy(recorder)


def _cpu_busy(recorder: Recorder) -> bool:
    """Over 90% of one core on average: the generator, not the server, may have set the pace."""
    wall = time.perf_counter() - recorder.start_perf
    return wall > 5 and (sum(os.times()[:2]) - recorder.cpu_start) / wall > 0.9


def main() -> int:
    spec = json.load(sys.stdin)
    recorder = Recorder(spec["routes"], spec["warmup"])
    cpu_warning = run_open(spec, recorder) if spec.get("arrival_rate") else run_closed(spec, recorder)
    result = {"locust_version": locust.__version__, "cpu_warning": cpu_warning,
              "cpu_seconds": round(sum(os.times()[:2]), 3), **recorder.result()}
    # Written whole, then renamed: the parent never reads half a file from a generator that died mid-write.
    partial = spec["result_path"] + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    os.replace(partial, spec["result_path"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
