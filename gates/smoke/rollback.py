"""Run the rollback command once: no shell, a timeout, its exit code and redacted output kept as a Check."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from gates.redact import redact
from gates.report import Check, Finding, Status

OUTPUT_CAP = 20_000  # characters of the command's output kept (the tail, where the errors are)
KILL_GRACE = 3.0  # seconds a timed-out rollback gets between SIGTERM and SIGKILL


def rollback_env(failed: Sequence[str], reason: str, base_url: str, verdict: str) -> dict[str, str]:
    """What the rollback command is told: which checks failed and why."""
    return {
        "GATES_SMOKE_RESULT": verdict,  # failed | inconclusive
        "GATES_SMOKE_FAILED_CHECKS": ",".join(failed),
        "GATES_SMOKE_REASON": reason,
        "GATES_SMOKE_BASE_URL": base_url,
    }


def run_rollback(command: Sequence[str], timeout: float, cwd: Path, env: Mapping[str, str],
                 secrets: Iterable[str]) -> Check:
    shown = " ".join(command)
    started = time.perf_counter()
    try:
        # Its own process group: on a timeout the whole tree goes (a CLI's helpers and a script's children
        # too), not only the first process while its children keep deploying.
        process = subprocess.Popen(
            list(command), cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    except FileNotFoundError:
        return _failed(started, f"rollback command not found: {command[0]}", shown)
    except PermissionError:
        return _failed(started, f"rollback command is not executable: {command[0]}", shown)
    except OSError as exc:
        return _failed(started, f"rollback command could not start: {command[0]}: {exc.strerror or exc}", shown)
    try:
        raw, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        output = _stop_group(process)
        return _failed(started, f"rollback timed out after {timeout:g} s", shown, output, secrets)
    elapsed = time.perf_counter() - started
    output = _clip(redact(_text(raw), secrets))
    properties: dict[str, int | float | str | bool] = {"exit_code": process.returncode, "command": shown}
    if process.returncode != 0:
        message = f"rollback failed: {shown} exited {process.returncode}"
        return Check("rollback", Status.FAILED, elapsed, findings=(Finding("rollback-failed", message),),
                     properties={**properties, "rollback": "failed"}, output=output, group="rollback",
                     message=message)
    return Check("rollback", Status.PASSED, elapsed, properties={**properties, "rollback": "triggered"},
                 output=output, group="rollback", message=f"rolled back: {shown} exited 0 in {elapsed:.1f} s")


def _stop_group(process: subprocess.Popen[bytes]) -> str:
    """SIGTERM the rollback's process group, SIGKILL whatever is left once the command is gone or the grace
    period ends (a child that ignores SIGTERM included); what it printed."""
    _signal_group(process, signal.SIGTERM)
    output = b""
    try:
        output, _ = process.communicate(timeout=KILL_GRACE)
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout if isinstance(exc.stdout, bytes) else b""
    _signal_group(process, signal.SIGKILL)
    if process.returncode is None:
        try:
            output, _ = process.communicate(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            # Something outside the group (it called setsid) still holds the pipe: stop reading, do not hang.
            if process.stdout is not None:
                process.stdout.close()
            process.wait(KILL_GRACE)
    return _text(output)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):  # the group is already gone
        pass


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _clip(text: str) -> str:
    return text if len(text) <= OUTPUT_CAP else "…" + text[-OUTPUT_CAP:]


def _failed(started: float, message: str, shown: str, output: str = "", secrets: Iterable[str] = ()) -> Check:
    return Check("rollback", Status.FAILED, time.perf_counter() - started,
                 findings=(Finding("rollback-failed", message),),
                 properties={"command": shown, "rollback": "failed"}, output=_clip(redact(output, secrets)),
                 group="rollback", message=message)
