"""Serve an offline OSV database on loopback the way api.osv.dev answers `POST /v1/query`.

Lets stock pip-audit (`-s osv --osv-url http://127.0.0.1:PORT/v1/query`) audit against the same
records as the offline gate: the fair peer for the benchmark, and the online path's real test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gates.deps.model import normalize
from gates.deps.osv.database import decode_record, raw_records
from gates.deps.osv.evaluate import Stats, is_affected
from gates.deps.osv.records import ECOSYSTEMS, advisory_from_record, is_withdrawn


class RecordIndex:
    """Raw records by (ecosystem, normalized name), with their parsed form for evaluation."""

    def __init__(self, path: Path) -> None:
        self.by_package: dict[tuple[str, str], list[tuple[dict[str, Any], Any]]] = {}
        for member, data in raw_records(path):
            record = decode_record(member, data)
            if not isinstance(record, dict) or is_withdrawn(record):
                continue
            advisory = advisory_from_record(record)
            for key in {(a.ecosystem, normalize(a.name, a.ecosystem)) for a in advisory.affected}:
                self.by_package.setdefault(key, []).append((record, advisory))

    def query(self, ecosystem: str, name: str, version: str) -> list[dict[str, Any]]:
        eco = ECOSYSTEMS.get(ecosystem.lower(), ecosystem)
        key = (eco, normalize(name, eco))
        found = []
        for record, advisory in self.by_package.get(key, ()):
            entries = [a for a in advisory.affected if (a.ecosystem, normalize(a.name, a.ecosystem)) == key]
            if any(is_affected(version, entry, Stats()) for entry in entries):
                found.append(record)
        return found


def _handler(index: RecordIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            try:
                length = int(self.headers.get("Content-Length", "0"))
                query = json.loads(self.rfile.read(length))
                package = query["package"]
                vulns = index.query(str(package["ecosystem"]), str(package["name"]), str(query["version"]))
                body = json.dumps({"vulns": vulns} if vulns else {}).encode()
                self.send_response(200)
            except (ValueError, KeyError, TypeError):
                body = b'{"code": 3, "message": "invalid query"}'
                self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
            pass

    return Handler


@contextmanager
def serve(path: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Yield the query URL of a loopback OSV endpoint over the database at `path`."""
    server = ThreadingHTTPServer((host, 0), _handler(RecordIndex(path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/v1/query"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
