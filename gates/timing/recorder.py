"""The load generator's bookkeeping: every request of every route, without Locust or gevent.

Kept apart from worker.py (which monkey-patches the interpreter on import) so the rules of what counts
can be tested in the gates process with hand-made samples:

- the first answer of each route is its cold start, reported apart, never a sample;
- a request that started (closed) or was scheduled (open) before the end of `warmup` is not a sample;
- an error is any 4xx or 5xx answer, a connection error or a timeout, and a request still unanswered
  when the run ends (with the latency it had reached by then);
- a 3xx answer is not followed (the route's own answer is timed) and counts as answered; how many
  there were is reported, so a route that redirects every request to a login page shows it.
"""

from __future__ import annotations

import os
import time
from typing import Any

LOGIN_NAME = "\x00login"  # a request name no route can have: login requests are not samples
UNANSWERED = "no answer when the run ended"


class Unanswered(Exception):
    """A request still waiting for its answer when the run stopped."""

    def __str__(self) -> str:
        return UNANSWERED


class Recorder:
    """Every request of every route: offset from the start of measurement (s), latency (ms), ok."""

    def __init__(self, routes: list[dict[str, Any]], warmup: float) -> None:
        self.start = time.time()
        self.start_perf = time.perf_counter()
        self.cpu_start = sum(os.times()[:2])
        self.warmup = warmup
        self.samples: dict[str, dict[str, list[Any]]] = {r["name"]: {"t": [], "ms": [], "ok": []} for r in routes}
        self.cold: dict[str, float] = {}
        self.errors: dict[str, dict[str, int]] = {r["name"]: {} for r in routes}
        self.redirects: dict[str, dict[str, int]] = {r["name"]: {} for r in routes}
        self.login_ok = 0
        self.login_failed = 0
        self.login_error = ""
        self.crash = ""
        self.closed = False  # set when the run stops: a late answer must not count next to its "unanswered"

    def login(self, error: str | None) -> None:
        if error is None:
            self.login_ok += 1
        else:
            self.login_failed += 1
            self.login_error = error

    def record(self, request_type: str, name: str, response_time: float, response: Any = None,
               context: Any = None, exception: Any = None, start_time: float | None = None, **_: Any) -> None:
        """Locust's request event. `context["scheduled"]` (perf_counter) marks an open-workload request."""
        if not self.closed:
            self._add(name, response_time, response, context, exception, start_time)

    def _add(self, name: str, response_time: float, response: Any, context: Any, exception: Any,
             start_time: float | None) -> None:
        if name not in self.samples:
            return  # the login, or a request Locust made on its own
        scheduled = (context or {}).get("scheduled")
        if scheduled is not None:  # open workload: from the scheduled send time
            offset = scheduled - self.start_perf
            response_time = (time.perf_counter() - scheduled) * 1000
        else:
            offset = (start_time if start_time is not None else time.time()) - self.start
        if name not in self.cold:
            self.cold[name] = round(response_time, 3)
            return  # the first answer of a route is its cold start, reported on its own
        if offset < self.warmup:
            return
        bucket = self.samples[name]  # rounded when written: this is the generator's hot path
        bucket["t"].append(offset - self.warmup)
        bucket["ms"].append(response_time)
        bucket["ok"].append(1 if exception is None else 0)
        if exception is not None:
            key = describe(exception, response)
            self.errors[name][key] = self.errors[name].get(key, 0) + 1
        else:
            status = getattr(response, "status_code", 0) or 0
            if 300 <= status < 400:
                where = _header(response, "location")
                key = f"HTTP {status} -> {where[:80]}" if where else f"HTTP {status}"
                self.redirects[name][key] = self.redirects[name].get(key, 0) + 1

    def unanswered(self, name: str, started_wall: float | None = None, scheduled: float | None = None) -> None:
        """A request still in flight at the end: an error, with the latency it had reached."""
        self.closed = True
        if scheduled is not None:
            self._add(name, 0.0, None, {"scheduled": scheduled}, Unanswered(), None)
        else:
            began = started_wall if started_wall is not None else time.time()
            self._add(name, (time.time() - began) * 1000, None, None, Unanswered(), began)

    def result(self) -> dict[str, Any]:
        return {
            "routes": {name: {"t": [round(v, 3) for v in bucket["t"]], "ms": [round(v, 3) for v in bucket["ms"]],
                              "ok": bucket["ok"], "cold_start_ms": self.cold.get(name),
                              "errors": self.errors[name], "redirects": self.redirects[name]}
                       for name, bucket in self.samples.items()},
            "login": {"ok": self.login_ok, "failed": self.login_failed, "error": self.login_error},
            "crash": self.crash,
        }


def _header(response: Any, name: str) -> str:
    headers = getattr(response, "headers", None)
    try:
        return str(headers.get(name) or "") if headers is not None else ""
    except Exception:  # noqa: BLE001 - a header lookup must never break the generator's hot path
        return ""


def describe(exception: Any, response: Any) -> str:
    if isinstance(exception, Unanswered):
        return UNANSWERED
    status = getattr(response, "status_code", None)
    if status:
        return f"HTTP {status}"
    return type(exception).__name__ + (f": {exception}"[:120] if str(exception) else "")
