"""Run detection on batches of candidate lines, in-process or on a second core.

Streaming and prefiltering keep the main process busy; detect-secrets' plugins (~0.3 ms a line in
Python) are the other half of the work. Once a scan has enough candidates to pay for it, batches go
to one forked worker process while the main process keeps reading; results are collected in
submission order so "first commit that added it" stays exact. Small scans (a commit's staged
changes, tests) never start a process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from gates.secrets.detectors import DetectSecrets
from gates.secrets.rules import Hit, detect

PARALLEL_AFTER = 400  # candidate lines before a worker process pays for its start
Batch = Sequence[tuple[str, str]]  # (path, line)

_worker_ds: DetectSecrets | None = None  # the worker process's own detect-secrets settings


def _init_worker() -> None:
    global _worker_ds
    _worker_ds = DetectSecrets().__enter__()


def _detect_batch(batch: Batch) -> list[list[Hit]]:
    assert _worker_ds is not None
    return [detect(line, path, _worker_ds) for path, line in batch]


class Detector:
    def __init__(self, ds: DetectSecrets, parallel: bool = True) -> None:
        self.ds = ds
        self.parallel = parallel and _can_fork()
        self.submitted = 0
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, batch: Batch) -> Callable[[], list[list[Hit]]]:
        """Start detection on a batch; call the result to get one list of hits per line."""
        self.submitted += len(batch)
        if self._pool is None and self.parallel and self.submitted > PARALLEL_AFTER:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_worker)
        if self._pool is not None:
            future: Future[list[list[Hit]]] = self._pool.submit(_detect_batch, list(batch))
            return future.result
        hits = [detect(line, path, self.ds) for path, line in batch]
        return lambda: hits

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _can_fork() -> bool:
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1
