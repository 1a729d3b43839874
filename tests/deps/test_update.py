"""`gates deps update-db` downloads OSV exports from a loopback server, keeps a good database when a
download is bad, and the downloaded directory works as --db."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gates.cli import cli


def export_zip(osv_db: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in osv_db.rglob("*.json"):
            archive.write(file, file.name)
    return buffer.getvalue()


@pytest.fixture
def exports(osv_db: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    files = {"/PyPI/all.zip": export_zip(osv_db)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", files
    server.shutdown()
    server.server_close()


def test_update_db_then_audit_offline(git_repo: Path, exports: tuple[str, dict[str, bytes]]) -> None:
    url, _ = exports
    result = CliRunner().invoke(cli, ["deps", "update-db", "--dest", "osv", "--ecosystem", "PyPI", "--url", url])
    assert result.exit_code == 0, result.output
    assert (git_repo / "osv" / "PyPI.zip").is_file() and "PyPI:" in result.output
    (git_repo / "requirements.txt").write_text("jinja2==2.10\n")
    audit = CliRunner().invoke(cli, ["deps", "requirements.txt", "--db", "osv"])
    assert audit.exit_code == 1 and "PYSEC-2019-217" in audit.output


def test_bad_download_keeps_the_old_database(git_repo: Path, exports: tuple[str, dict[str, bytes]]) -> None:
    url, files = exports
    assert CliRunner().invoke(cli, ["deps", "update-db", "--dest", "osv", "--ecosystem", "PyPI",
                                    "--url", url]).exit_code == 0
    good = (git_repo / "osv" / "PyPI.zip").read_bytes()
    files["/PyPI/all.zip"] = b"<html>captive portal</html>"
    result = CliRunner().invoke(cli, ["deps", "update-db", "--dest", "osv", "--ecosystem", "PyPI", "--url", url])
    assert result.exit_code == 3 and "not a zip" in result.output
    assert (git_repo / "osv" / "PyPI.zip").read_bytes() == good
    assert [p.name for p in (git_repo / "osv").iterdir()] == ["PyPI.zip"]


def test_missing_export_is_exit_3(git_repo: Path, exports: tuple[str, dict[str, bytes]]) -> None:
    url, _ = exports
    result = CliRunner().invoke(cli, ["deps", "update-db", "--dest", "osv", "--ecosystem", "Nope", "--url", url])
    assert result.exit_code == 3 and "HTTP 404" in result.output
