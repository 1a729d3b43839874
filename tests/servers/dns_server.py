"""A real DNS server on loopback for tests: answers from zone text over UDP and TCP, ephemeral port.

    with DNSServer(ZONE) as server:          # ZONE: zone-file text with $ORIGIN/$TTL
        resolver = Resolver([server.nameserver])   # "127.0.0.1:PORT"

It behaves like the recursive resolver a gate would normally ask: it answers for every name in
the zones it was given, follows CNAMEs inside them (a CNAME to a name it does not know ends in
NXDOMAIN, as a dangling CNAME does), says NXDOMAIN for names that do not exist and NODATA (an
empty NOERROR answer) for names that exist without the asked type, including empty non-terminals.

Faults, for whole-server or per-name scenarios:
    mode="servfail" | "refused" | "drop" (never answers) | "truncate" (UDP answers carry TC=1 and
    no records; TCP answers are complete);  faults={"bad.example.com": "servfail", ...}.
`delay=0.005` answers every query after 5 ms (each in its own thread), like a network round trip.
`server.queries` records (name, type, protocol) for every query received.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from dnslib import QTYPE, RCODE, RR, DNSRecord

MODES = ("normal", "servfail", "refused", "drop", "truncate")


def _key(name: Any) -> str:
    return str(name).rstrip(".").lower()


class Zone:
    """Records by owner name, loaded from zone text."""

    def __init__(self, text: str) -> None:
        self.records: dict[str, list[RR]] = {}
        for rr in RR.fromZone(text):
            self.records.setdefault(_key(rr.rname), []).append(rr)

    def exists(self, name: str) -> bool:
        if name in self.records:
            return True
        # An empty non-terminal exists (NODATA, not NXDOMAIN) when a name below it has records.
        suffix = "." + name
        return any(owner.endswith(suffix) for owner in self.records)

    def answer(self, name: str, qtype: int) -> tuple[list[RR], bool]:
        """Records for (name, qtype) following CNAMEs; and whether the final name exists."""
        answers: list[RR] = []
        current = name
        for _ in range(10):
            owned = self.records.get(current, [])
            matching = [rr for rr in owned if rr.rtype == qtype or qtype == QTYPE.ANY]
            if matching:
                return answers + matching, True
            cname = next((rr for rr in owned if rr.rtype == QTYPE.CNAME), None)
            if cname is None or qtype == QTYPE.CNAME:
                return answers, self.exists(current)
            answers.append(cname)
            current = _key(cname.rdata.label)
        return answers, True


class DNSServer:
    def __init__(self, zone_text: str, mode: str = "normal", faults: Mapping[str, str] | None = None,
                 delay: float = 0.0, address: str = "127.0.0.1") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.zone = Zone(zone_text)
        self.mode = mode
        self.faults = {_key(name): fault for name, fault in (faults or {}).items()}
        self.delay = delay  # seconds before each answer: a network round trip, for benchmarks
        self.queries: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._servers: list[socketserver.BaseServer] = []
        self.address = address  # "::1" serves on the IPv6 loopback
        self.port = 0

    @property
    def nameserver(self) -> str:
        """IP:PORT, with an IPv6 address in brackets ([::1]:PORT) as --nameserver takes it."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"

    # -- answering ----------------------------------------------------------------------------
    def reply(self, data: bytes, protocol: str) -> bytes | None:
        try:
            request = DNSRecord.parse(data)
        except Exception:  # noqa: BLE001 - garbage in: no answer, like a real server dropping it
            return None
        question = request.q
        name = _key(question.qname)
        with self._lock:
            self.queries.append((name, QTYPE.get(question.qtype), protocol))
        fault = self.faults.get(name, self.mode)
        if self.delay:
            time.sleep(self.delay)
        if fault == "drop":
            return None
        reply = request.reply()
        reply.header.ra = 1
        if fault == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
            return reply.pack()
        if fault == "refused":
            reply.header.rcode = RCODE.REFUSED
            return reply.pack()
        records, exists = self.zone.answer(name, question.qtype)
        for rr in records:
            reply.add_answer(rr)
        if not exists:
            reply.header.rcode = RCODE.NXDOMAIN
        if fault == "truncate" and protocol == "udp":
            reply = request.reply()
            reply.header.tc = 1
        return reply.pack()

    # -- serving ------------------------------------------------------------------------------
    def start(self) -> DNSServer:
        owner = self

        class UDPHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                answer = owner.reply(data, "udp")
                if answer is not None:
                    sock.sendto(answer, self.client_address)

        class TCPHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                header = _recv_exact(sock, 2)
                if header is None:
                    return
                data = _recv_exact(sock, struct.unpack("!H", header)[0])
                answer = owner.reply(data, "tcp") if data is not None else None
                if answer is not None:
                    sock.sendall(struct.pack("!H", len(answer)) + answer)

        family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        udp_class = type("UDPServer", (socketserver.ThreadingUDPServer,), {"address_family": family})
        tcp_class = type("TCPServer", (socketserver.ThreadingTCPServer,), {"address_family": family})
        for _attempt in range(20):
            udp = udp_class((self.address, 0), UDPHandler)
            port = udp.server_address[1]
            try:
                tcp = tcp_class((self.address, port), TCPHandler)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise OSError("no free port for UDP and TCP together")
        self.port = port
        for server in (udp, tcp):
            server.daemon_threads = True
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> DNSServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data

