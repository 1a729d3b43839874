"""What real apps do: redirects, 4xx, huge bodies, hung requests, HTML logins, HTTPS behind a path prefix,
launchers that exit 0, a port already taken, and a cancelled run (SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gates.errors import CannotEvaluate
from gates.report import Status
from gates.timing import run
from tests.servers import timing_app
from tests.timing.conftest import make_options

APP = Path(timing_app.__file__)


def _gone(pid: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_redirects_4xx_and_huge_bodies(app_url: str, tmp_path: Path) -> None:
    options = make_options({
        "base_url": app_url, "duration": "1s", "min_requests": 1,
        "routes": [
            # Not followed: the route's own 302 is timed and shown, not /sign-in's 404.
            {"name": "redirect", "path": "/redirect", "p95_ms": 5000},
            {"name": "big", "path": "/big?kb=2048", "p95_ms": 5000},  # 2 MiB a request, never kept
            {"name": "missing", "path": "/no-such-page", "p95_ms": 5000},
            {"name": "private", "path": "/private", "p95_ms": 5000},  # no login: 401, an error
        ],
    }, tmp_path)
    checks = {check.name: check for check in run(options).checks}
    assert checks["redirect"].status is Status.PASSED, checks["redirect"].message
    assert int(checks["redirect"].properties["redirects"]) >= 1
    assert "HTTP 302 -> /sign-in" in checks["redirect"].output
    assert checks["big"].status is Status.PASSED, checks["big"].message
    for name, status in (("missing", "HTTP 404"), ("private", "HTTP 401")):
        assert checks[name].status is Status.FAILED and checks[name].findings[0].rule == "error-rate"
        assert checks[name].properties["error_rate"] == 1.0 and status in checks[name].output


def test_requests_unanswered_at_the_end_are_errors(app_url: str, tmp_path: Path) -> None:
    options = make_options({"base_url": app_url, "duration": "1s", "drain": "0.3s", "min_requests": 1,
                            "routes": [{"name": "hung", "path": "/sleep/5000", "p95_ms": 60000}]}, tmp_path)
    check = run(options).checks[0]
    assert check.status is Status.FAILED, check.message
    assert check.findings[0].rule == "error-rate" and "no answer when the run ended" in check.output
    assert float(check.properties["p50_ms"]) >= 1000


def test_a_login_that_answers_html_is_exit_3(app_url: str, tmp_path: Path) -> None:
    options = make_options({
        "base_url": app_url, "login": {"path": "/login-html", "json": {"password": "x"}, "token": "access_token"},
        "routes": [{"name": "private", "path": "/private", "auth": True}],
    }, tmp_path)
    with pytest.raises(CannotEvaluate, match="cannot log in"):
        run(options)


def test_https_self_signed_behind_a_path_prefix(tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    certfile, keyfile, cafile = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    ca.cert_pem.write_to_path(str(cafile))
    with timing_app.serve(prefix="/app", tls=(str(certfile), str(keyfile))) as url:
        section = {"base_url": url + "/", "ready": "/health", "duration": "1s", "min_requests": 1,
                   "routes": [{"name": "fast", "path": "/fast", "p95_ms": 5000}]}
        unverified = run(make_options(section, tmp_path)).checks[0]  # the default: speed, not certificates
        with pytest.raises(CannotEvaluate, match="TLS.*set \\[timing\\] ca_bundle"):
            run(make_options({**section, "verify": True}, tmp_path))
        verified = run(make_options({**section, "ca_bundle": "ca.pem"}, tmp_path)).checks[0]
    for check in (unverified, verified):
        assert check.status is Status.PASSED, check.message  # /app/fast answered: the prefix was kept
        assert check.properties["error_rate"] == 0


def test_a_launcher_that_exits_0_leaving_the_app_running(tmp_path: Path) -> None:
    port, pidfile = timing_app.free_port(), tmp_path / "app.pid"
    launcher = f"{sys.executable} {APP} --port {port} --pidfile {pidfile} > /dev/null 2>&1 &"
    options = make_options({"base_url": f"http://127.0.0.1:{port}", "ready": "/health", "ready_timeout": "30s",
                            "start": ["sh", "-c", launcher], "duration": "1s", "min_requests": 1,
                            "routes": [{"name": "fast", "path": "/fast", "p95_ms": 5000}]}, tmp_path)
    check = run(options).checks[0]
    assert check.status is Status.PASSED, check.message
    assert _gone(int(pidfile.read_text()))  # stopped with its process group, though its launcher had exited


def test_a_start_that_exits_0_leaving_nothing_is_exit_3_at_once(tmp_path: Path) -> None:
    options = make_options({"base_url": f"http://127.0.0.1:{timing_app.free_port()}", "start": "true",
                            "ready_timeout": "60s", "routes": [{"name": "a", "path": "/"}]}, tmp_path)
    started = time.monotonic()
    with pytest.raises(CannotEvaluate, match="exited with code 0 and left nothing running.*foreground"):
        run(options)
    assert time.monotonic() - started < 30  # not the whole ready_timeout


def test_an_address_already_answering_before_start_is_exit_3(app_url: str, tmp_path: Path) -> None:
    options = make_options({"base_url": app_url, "start": "sleep 30", "routes": [{"name": "a", "path": "/fast"}]},
                           tmp_path)
    with pytest.raises(CannotEvaluate, match="already answers before `start` ran"):
        run(options)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(child) for child in task.read_text().split()}
    return found


def _loading(pid: int) -> bool:
    for child in _children(pid):
        try:
            if b"worker.py" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to list child processes")
def test_sigterm_stops_the_load_and_the_started_app(git_repo: Path) -> None:
    port, pidfile = timing_app.free_port(), git_repo / "app.pid"
    (git_repo / "gates.toml").write_text(
        f'[timing]\nbase_url = "http://127.0.0.1:{port}"\nready = "/health"\nduration = "30s"\nusers = 2\n'
        f'start = ["{sys.executable}", "{APP}", "--port", "{port}", "--pidfile", "{pidfile}"]\n'
        '[[timing.routes]]\nname = "fast"\npath = "/fast"\n'
    )
    gate = subprocess.Popen([sys.executable, "-m", "gates", "timing"], cwd=git_repo,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not _loading(gate.pid) and time.monotonic() < deadline:  # the app is up, the load has begun
            time.sleep(0.1)
        children = _children(gate.pid)
        assert _loading(gate.pid) and pidfile.is_file() and int(pidfile.read_text()) in children
        gate.send_signal(signal.SIGTERM)
        assert gate.wait(timeout=20) != 0  # never a pass
        assert all(_gone(child) for child in children)
        assert _gone(int(pidfile.read_text()))
    finally:
        if gate.poll() is None:
            gate.kill()
            gate.wait()


def test_a_form_login_that_redirects_with_its_cookie(app_url: str, tmp_path: Path) -> None:
    options = make_options({
        "base_url": app_url, "duration": "1s", "min_requests": 1,
        "login": {"path": "/login-form", "json": {"email": timing_app.EMAIL, "password": timing_app.PASSWORD}},
        "routes": [{"name": "private", "path": "/private", "auth": True, "p95_ms": 5000}],
    }, tmp_path)
    check = run(options).checks[0]
    assert check.status is Status.PASSED, check.message
    assert check.properties["error_rate"] == 0


def test_a_form_login_that_fails_is_exit_3_not_its_redirect_target(app_url: str, tmp_path: Path) -> None:
    options = make_options({
        "base_url": app_url, "login": {"path": "/login-form", "json": {"email": "x", "password": "wrong"}},
        "routes": [{"name": "private", "path": "/private", "auth": True}],
    }, tmp_path)
    with pytest.raises(CannotEvaluate, match="cannot log in"):
        run(options)
