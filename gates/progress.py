"""A progress handle gates may use for work that takes more than a second.

Gates call `progress.task("Scanning history", total=n)` and `.advance()`; the console decides
whether that becomes a bar on stderr (a TTY, not quiet) or nothing at all.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol


class Task(Protocol):
    def advance(self, amount: float = 1) -> None: ...

    def update(self, *, total: float | None = None, description: str | None = None) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: float | None = None) -> Task: ...


class _NullTask:
    def advance(self, amount: float = 1) -> None:
        pass

    def update(self, *, total: float | None = None, description: str | None = None) -> None:
        pass


class NullProgress:
    def task(self, description: str, total: float | None = None) -> Task:
        return _NullTask()

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        pass


class _RichTask:
    def __init__(self, progress: object, task_id: object) -> None:
        self._progress = progress
        self._id = task_id

    def advance(self, amount: float = 1) -> None:
        self._progress.advance(self._id, amount)  # type: ignore[attr-defined]

    def update(self, *, total: float | None = None, description: str | None = None) -> None:
        kwargs: dict[str, object] = {}
        if total is not None:
            kwargs["total"] = total
        if description is not None:
            kwargs["description"] = description
        self._progress.update(self._id, **kwargs)  # type: ignore[attr-defined]


class ConsoleProgress:
    """Bars on stderr, only on a terminal: CI logs and hooks stay clean."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress as RichProgress

        self._progress = RichProgress(console=Console(stderr=True), transient=True)

    def task(self, description: str, total: float | None = None) -> Task:
        return _RichTask(self._progress, self._progress.add_task(description, total=total))

    def __enter__(self) -> ConsoleProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()


def open_progress(quiet: bool) -> NullProgress | ConsoleProgress:
    import sys

    if quiet or not sys.stderr.isatty():
        return NullProgress()
    return ConsoleProgress()
