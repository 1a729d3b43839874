"""Run a subprocess with a time limit and output no report may show in full.

Gates call external tools (psql, pg_ctl, framework CLIs). `run_process` never raises for the tool's
own failure: a non-zero exit, a timeout or a missing executable is a `Completed` the caller judges.
Output is decoded leniently and passed through `gates.redact.redact` with the secrets the caller
knows (a password from a URL, a token), so it can go straight into a Check's output.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gates.redact import redact

MAX_OUTPUT = 64_000  # characters kept of each stream: enough for an error, small enough for a report


@dataclass(frozen=True)
class Completed:
    args: tuple[str, ...]
    returncode: int | None  # None: it did not finish (timeout) or could not start
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    not_found: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        """stdout and stderr together, for a Check's output."""
        return "\n".join(part for part in (self.stdout.rstrip(), self.stderr.rstrip()) if part)

    def describe(self) -> str:
        """One line saying how it ended."""
        name = Path(self.args[0]).name if self.args else "command"
        if self.not_found:
            return f"{name}: executable not found"
        if self.timed_out:
            return f"{name}: timed out after {self.duration_s:.1f}s"
        return f"{name}: exit code {self.returncode}"


def run_process(
    args: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    input_text: str | None = None,
    secrets: Iterable[str] = (),
    user: str | int | None = None,
    raw_output: bool = False,
    keep_tail: bool = False,
) -> Completed:
    """Run `args` (no shell); kill it after `timeout` seconds; redact what it printed.

    `raw_output=True` keeps stdout whole and unredacted, for reading file contents (`git show`) that
    never go into a report as they are. `keep_tail=True` keeps the end of long output rather than its
    start (where a script's last progress marker and its error are).
    """
    known = tuple(secrets)
    full_env = {**os.environ, **env} if env is not None else None
    started = time.perf_counter()
    try:
        # Its own process group, so a timeout ends the children too: a grandchild that keeps the output
        # pipe open would otherwise keep us waiting after the child itself was killed.
        process = subprocess.Popen(
            list(args), cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL, user=user,
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        return Completed(tuple(args), None, "", redact(str(exc), known), time.perf_counter() - started,
                         not_found=True)
    try:
        out, err = process.communicate(input_text.encode() if input_text is not None else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            out, err = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            out, err = b"", b""
        return Completed(tuple(args), None, _clean(out, known, keep_tail), _clean(err, known, keep_tail),
                         time.perf_counter() - started, timed_out=True)
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    stdout = done.stdout.decode("utf-8", "replace") if raw_output else _clean(done.stdout, known, keep_tail)
    return Completed(tuple(args), done.returncode, stdout, _clean(done.stderr, known, keep_tail),
                     time.perf_counter() - started)


def _clean(data: bytes | str | None, secrets: tuple[str, ...], keep_tail: bool = False) -> str:
    if data is None:
        return ""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if len(text) > MAX_OUTPUT and keep_tail:
        text = f"({len(text) - MAX_OUTPUT} characters before) …\n" + text[-MAX_OUTPUT:]
    elif len(text) > MAX_OUTPUT:
        text = text[:MAX_OUTPUT] + f"\n… ({len(text) - MAX_OUTPUT} more characters)"
    return redact(text, secrets)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
