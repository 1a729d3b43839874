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
import gevent.pool  # noqa: E402
import locust  # noqa: E402
from locust import FastHttpUser, between, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpSession  # noqa: E402
from locust.env import Environment  # noqa: E402

LOGIN_NAME = "\x00login"  # a request name no route can have: login requests are not samples


class Recorder:
    """Every request of every route: offset from the start (s), latency (ms), ok."""

    def __init__(self, routes: list[dict[str, Any]], warmup: float) -> None:
        self.start = time.time()
        self.start_perf = time.perf_counter()
        self.cpu_start = sum(os.times()[:2])
        self.warmup = warmup
        self.samples: dict[str, dict[str, list[Any]]] = {r["name"]: {"t": [], "ms": [], "ok": []} for r in routes}
        self.cold: dict[str, float] = {}
        self.errors: dict[str, dict[str, int]] = {r["name"]: {} for r in routes}
        self.login_ok = 0
        self.login_failed = 0
        self.login_error = ""

    def record(self, request_type: str, name: str, response_time: float, response: Any = None,
               context: Any = None, exception: Any = None, start_time: float | None = None, **_: Any) -> None:
        if name == LOGIN_NAME:
            if exception is None:
                self.login_ok += 1
            else:
                self.login_failed += 1
                self.login_error = _describe(exception, response)
            return
        if name not in self.samples:
            return
        scheduled = (context or {}).get("scheduled")
        if scheduled is not None:  # open workload: from the scheduled send time
            offset = scheduled - self.start_perf
            response_time = (time.perf_counter() - scheduled) * 1000
        else:
            offset = (start_time or time.time()) - self.start
        if name not in self.cold:
            self.cold[name] = round(response_time, 3)
            return  # the first request of a route is its cold start, reported on its own
        if offset < self.warmup:
            return
        bucket = self.samples[name]  # rounded when written: this is the generator's hot path
        bucket["t"].append(offset - self.warmup)
        bucket["ms"].append(response_time)
        bucket["ok"].append(1 if exception is None else 0)
        if exception is not None:
            key = _describe(exception, response)
            self.errors[name][key] = self.errors[name].get(key, 0) + 1


def _describe(exception: Any, response: Any) -> str:
    status = getattr(response, "status_code", None)
    if status:
        return f"HTTP {status}"
    return type(exception).__name__ + (f": {exception}"[:120] if str(exception) else "")


def _request_kwargs(route: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"name": route["name"], "headers": {**headers, **route.get("headers", {})}}
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


def log_in(session: FastHttpSession, login: dict[str, Any], headers: dict[str, str]) -> dict[str, str]:
    """Sign in on this session; the headers later auth requests need (a bearer token, or none: cookies)."""
    kwargs: dict[str, Any] = {"name": LOGIN_NAME, "headers": {**headers, **login.get("headers", {})}}
    if login.get("json") is not None:
        kwargs["json"] = login["json"]
    elif login.get("form") is not None:
        kwargs["data"] = login["form"]
    response = session.request(login.get("method", "POST"), login["path"], **kwargs)
    if login.get("token") and getattr(response, "status_code", 0) and response.status_code < 400:
        try:
            token = _dig(json.loads(response.content or b"null"), login["token"])
        except ValueError:
            token = None
        if isinstance(token, str) and token:
            return {"Authorization": f"Bearer {token}"}
    return {}


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

    class GatesUser(FastHttpUser):
        host = spec["base_url"]
        wait_time = between(*spec["think_time"])
        network_timeout = spec.get("request_timeout", 60.0)
        connection_timeout = spec.get("request_timeout", 60.0)
        kwargs: dict[str, dict[str, Any]] = {}

        def on_start(self) -> None:
            self.kwargs = prepared
            if login and any(r.get("auth") for r in routes):
                auth = log_in(self.client, login, headers)
                self.kwargs = _prepared(routes, headers)
                for route in routes:
                    if route.get("auth"):
                        self.kwargs[route["name"]]["headers"].update(auth)

        @task
        def one_route(self) -> None:
            route = pick()
            self.client.request(route["method"], route["path"], **self.kwargs[route["name"]])

    env = Environment(user_classes=[GatesUser], host=spec["base_url"])
    env.events.request.add_listener(recorder.record)  # type: ignore[no-untyped-call]
    runner = env.create_local_runner()
    spawn_rate = spec.get("spawn_rate") or spec["users"]
    runner.start(spec["users"], spawn_rate=spawn_rate)
    gevent.sleep(spec["warmup"] + spec["duration"])
    runner.quit()
    return bool(runner.cpu_warning_emitted) or _cpu_busy(recorder)


def run_open(spec: dict[str, Any], recorder: Recorder) -> bool:
    """Send at a fixed rate whatever happens; `users` bounds the connections, never the schedule."""
    routes, headers, login = spec["routes"], spec.get("headers", {}), spec.get("login")
    env = Environment(host=spec["base_url"])
    env.events.request.add_listener(recorder.record)  # type: ignore[no-untyped-call]
    session = FastHttpSession(spec["base_url"], env.events.request, user=None, concurrency=spec["users"],
                              network_timeout=spec.get("request_timeout", 60.0),
                              connection_timeout=spec.get("request_timeout", 60.0))
    auth = log_in(session, login, headers) if login and any(r.get("auth") for r in routes) else {}
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
    for name, scheduled in list(in_flight.values()):
        recorder.record("", name, 0.0, context={"scheduled": scheduled},
                        exception=TimeoutError("no answer when the run ended"))
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
    result = {
        "locust_version": locust.__version__,
        "cpu_warning": cpu_warning,
        "cpu_seconds": round(sum(os.times()[:2]), 3),
        "routes": {name: {"t": [round(v, 3) for v in bucket["t"]], "ms": [round(v, 3) for v in bucket["ms"]],
                          "ok": bucket["ok"], "cold_start_ms": recorder.cold.get(name),
                          "errors": recorder.errors[name]}
                   for name, bucket in recorder.samples.items()},
        "login": {"ok": recorder.login_ok, "failed": recorder.login_failed, "error": recorder.login_error},
    }
    with open(spec["result_path"], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
