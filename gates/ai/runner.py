"""Send the planned prompts with a bounded number in flight; stop early when the endpoint is down."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from gates.ai.client import Endpoint, Exchange
from gates.progress import Task


def send_all(endpoint: Endpoint, prompts: Sequence[str], concurrency: int, task: Task) -> list[Exchange]:
    """One Exchange per prompt, in order. Once a connection fails before any answer came back, the
    rest are not sent: 60 connection timeouts would tell nothing more than the first."""
    down = threading.Event()
    answered = threading.Event()

    def one(prompt: str) -> Exchange:
        if down.is_set() and not answered.is_set():
            exchange = Exchange(prompt, error="not sent: the endpoint is unreachable", unreachable=True)
        else:
            exchange = endpoint.ask(prompt)
            if exchange.status is not None:
                answered.set()
            elif exchange.unreachable:
                down.set()
        task.advance()
        return exchange

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="gates-ai") as pool:
        return list(pool.map(one, prompts))


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]
