from __future__ import annotations

import os
import time
from pathlib import Path

from gates.common.process import run_process


def test_a_timeout_ends_the_whole_process_group(tmp_path: Path) -> None:
    # The background sleep inherits the output pipe: killing only bash would leave us waiting for it.
    pid_file = tmp_path / "pid"
    done = run_process(["bash", "-c", f"sleep 300 & echo $! > {pid_file}; sleep 300"], timeout=1)
    assert done.timed_out and done.returncode is None
    grandchild = int(pid_file.read_text())
    for _ in range(50):  # the kill is sent; give the kernel a moment to reap it
        if not _alive(grandchild):
            break
        time.sleep(0.1)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))  # a zombie is gone too


def test_output_exit_code_and_redaction() -> None:
    done = run_process(["bash", "-c", "echo postgres://app:s3cretPassw0rd@db/x; echo oops >&2; exit 3"], timeout=10)
    assert done.returncode == 3
    assert "s3cretPassw0rd" not in done.stdout and "postgres://app:" in done.stdout
    assert done.stderr == "oops\n"


def test_input_and_missing_executable() -> None:
    assert run_process(["cat"], timeout=10, input_text="abc").stdout == "abc"
    assert run_process(["/nonexistent/tool"], timeout=10).not_found
