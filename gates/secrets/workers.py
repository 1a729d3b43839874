"""Run detection on batches of candidate lines, in-process or on a second core.

Streaming and prefiltering keep the main process busy; detect-secrets' plugins (~0.3 ms a line in
Python) are the other half of the work. Once a scan has enough candidates to pay for it, batches go
to one forked worker process while the main process keeps reading; results are collected in
submission order so "first commit that added it" stays exact. Small scans (a commit's staged
changes, tests) never start a process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from gates.secrets.detectors import DetectSecrets
from gates.secrets.rules import Hit, detect

if TYPE_CHECKING:  # multiprocessing and concurrent.futures (7 ms) load only when a worker starts
    from concurrent.futures import Future, ProcessPoolExecutor

PARALLEL_AFTER = 400  # candidate lines before a worker process pays for its start
Batch = Sequence[tuple[str, str]]  # (path, line)

_worker_ds: DetectSecrets | None = None  # the worker process's own detect-secrets settings


def _init_worker() -> None:
    global _worker_ds
    _worker_ds = DetectSecrets().__enter__()


def _detect_batch(batch: Batch) -> list[list[Hit]]:
    assert _worker_ds is not None
    return [detect(line, path, _worker_ds) for path, line in batch]


class Job:
    """One batch: detected by the worker, or taken back and detected here if the worker has not started it."""

    def __init__(self, batch: Batch, ds: DetectSecrets, future: Future[list[list[Hit]]] | None) -> None:
        self.batch, self.ds, self.future = batch, ds, future
        self._hits: list[list[Hit]] | None = None  # detected lazily: the worker may still take it

    def take_back(self) -> bool:
        """Detect here when the worker has not started this batch yet; False when it has."""
        if self._hits is not None:
            return True
        if self.future is None or self.future.cancel():
            self._hits = _detect_here(self.batch, self.ds)
            return True
        return False

    def result(self) -> list[list[Hit]]:
        if self._hits is not None:
            return self._hits
        if self.future is not None:
            from concurrent.futures import CancelledError
            from concurrent.futures.process import BrokenProcessPool

            try:
                self._hits = self.future.result()
            except (BrokenProcessPool, OSError, CancelledError):  # a dead worker costs time, never findings
                self._hits = None
        if self._hits is None:
            self._hits = _detect_here(self.batch, self.ds)
        return self._hits


def _detect_here(batch: Batch, ds: DetectSecrets) -> list[list[Hit]]:
    return [detect(line, path, ds) for path, line in batch]


class Detector:
    def __init__(self, ds: DetectSecrets, parallel: bool = True) -> None:
        self.ds = ds
        self.parallel = parallel  # and the system can fork: asked when a worker would start
        self.submitted = 0
        self._pool: ProcessPoolExecutor | None = None
        self._waiting: list[Job] = []  # jobs from before the worker started

    def submit(self, batch: Batch) -> Job:
        """Queue detection of a batch (one list of hits per line, from `Job.result()`)."""
        self.submitted += len(batch)
        job = Job(batch, self.ds, None)
        if self._pool is None and self.parallel and self.submitted > PARALLEL_AFTER:
            self._start_worker()
        if self._pool is not None:
            job.future = self._pool.submit(_detect_batch, list(batch))
        elif self.parallel:
            self._waiting.append(job)
        return job

    def _start_worker(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        waiting, self._waiting = self._waiting, []
        if not _can_fork():
            self.parallel = False  # the waiting jobs are detected here when collected
            return
        # This process needs detect-secrets too (it takes batches back at the end): importing it once
        # here, before the fork, spares the worker its own 80 ms import.
        self.ds.load()
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_init_worker)
        for job in waiting:
            job.future = self._pool.submit(_detect_batch, list(job.batch))

    def share(self, jobs: Sequence[Job]) -> None:
        """Once reading is done, this process takes batches from the back while the worker works from the front."""
        self._waiting = []
        for job in reversed(jobs):
            if not job.take_back():
                return

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _can_fork() -> bool:
    import multiprocessing

    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1
