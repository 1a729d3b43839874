"""A resolver that asks each (name, type) once per run: SPF, DMARC and MX checks share lookups.

Checks run in threads at the same time, so a lookup already in flight is waited for, not repeated.
Past the run's total deadline every new lookup is a timeout (could not check), so a slow resolver
cannot hold a deploy pipeline for (lookups x timeout).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from gates.common.dns import Lookup, Outcome, Resolver


@dataclass
class CachingResolver(Resolver):
    deadline: float | None = None  # time.monotonic() after which no query is sent
    _answers: dict[tuple[str, str], Future[Lookup]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (name.rstrip(".").lower(), rdtype.upper())
        with self._lock:
            pending = self._answers.get(key)
            owner = pending is None
            if pending is None:
                pending = self._answers[key] = Future()
        if owner:
            try:
                if self.deadline is not None and time.monotonic() > self.deadline:
                    pending.set_result(Lookup(name.rstrip("."), rdtype, Outcome.TIMEOUT,
                                              detail="the gate's total deadline was reached"))
                else:
                    pending.set_result(super().lookup(name, rdtype))
            except BaseException as exc:  # an unexpected error reaches every waiter, not only the first
                pending.set_exception(exc)
        return pending.result()

    def prefetch(self, queries: Iterable[tuple[str, str]]) -> None:
        """Look these up concurrently now, so the caller's lookups in its own order are cache hits.

        The SPF walk is sequential (its lookup numbering must be deterministic); prefetching one
        record's independent lookups makes a tree of N records cost about its depth in round trips.
        """
        with self._lock:
            pending = [q for q in dict.fromkeys((n.rstrip(".").lower(), t.upper()) for n, t in queries)
                       if q not in self._answers]
        if len(pending) < 2:
            return
        with ThreadPoolExecutor(max_workers=min(8, len(pending))) as pool:
            list(pool.map(lambda query: self.lookup(*query), pending))
