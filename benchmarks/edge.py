"""Benchmark: a 6-host map checked by `gates edge` versus the same requests one by one with curl and
openssl s_client, on the same loopback servers in the same run. Prints medians and the ratio.

    .venv/bin/python benchmarks/edge.py [--runs 5]

The peer does per host: openssl s_client (chain + name), openssl s_client -tls1_1 (legacy probe), curl
following http://host/ and curl following https://host/ (headers + body); then curl for the legacy
path, the public and private paths and the login. It does no DNS (curl --connect-to pins every host):
the gate also resolves every host through the loopback DNS server and asks for CAA, so it does more.
Loopback only: every server listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this directory comes first on sys.path, and benchmarks/email.py would shadow the
# standard library's email package (which cryptography imports): put the repository root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from tests.servers.dns_server import DNSServer  # noqa: E402
from tests.servers.edge_app import (  # noqa: E402
    DOMAIN,
    HostSpec,
    Page,
    edge_servers,
    good_site,
    good_zone,
    make_certs,
)

HOSTS = {f"www.{DOMAIN}": "redirect", f"app.{DOMAIN}": "serve", f"api.{DOMAIN}": "serve",
         f"admin.{DOMAIN}": "serve", f"staging.{DOMAIN}": "redirect"}
EXTRA_ZONE = f"admin.{DOMAIN}. 60 IN A 127.0.0.1\nstaging.{DOMAIN}. 60 IN CNAME {DOMAIN}.\n"


def write_config(directory: Path) -> Path:
    hosts = ", ".join(f'"{host}" = "{role}"' for host, role in HOSTS.items())
    path = directory / "gates.toml"
    path.write_text(f"""[edge]
domain = "{DOMAIN}"
canonical = "https://{DOMAIN}"
hosts = {{ {hosts} }}
legacy_redirects = {{ "/pricing-old" = "/pricing" }}
public_paths = ["/assets/app.js"]
private_paths = ["/dashboard"]
login = {{ path = "/api/login", json = {{ email = "demo@example.test", password = "${{EDGE_BENCH_PASSWORD}}" }} }}
""", encoding="utf-8")
    return path


def run_gate(config: Path, nameserver: str, http: int, https: int, bundle: Path) -> float:
    command = [sys.executable, "-m", "gates", "--config", str(config), "edge", "--nameserver", nameserver,
               "--http-port", str(http), "--https-port", str(https), "--ca-bundle", str(bundle), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=config.parent,
                          env={**os.environ, "EDGE_BENCH_PASSWORD": "bench"})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"gates edge exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return elapsed


def run_peer(http: int, https: int, bundle: Path) -> float:
    hosts = [DOMAIN, *HOSTS]
    connect = [arg for host in hosts for arg in ("--connect-to", f"{host}:80:127.0.0.1:{http}",
                                                 "--connect-to", f"{host}:443:127.0.0.1:{https}")]
    curl = ["curl", "-sS", "-o", os.devnull, "-D", "-", "--cacert", str(bundle), "--max-redirs", "5", *connect]
    openssl = ["openssl", "s_client", "-connect", f"127.0.0.1:{https}", "-CAfile", str(bundle),
               "-verify_return_error", "-brief"]
    commands: list[list[str]] = []
    for host in hosts:
        commands.append([*openssl, "-servername", host, "-verify_hostname", host])
        commands.append([*openssl, "-servername", host, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        commands.append([*curl, "-L", f"http://{host}/"])
        commands.append([*curl, "-L", f"https://{host}/"])
    base = f"https://{DOMAIN}"
    commands.append([*curl, "-L", f"{base}/pricing-old"])
    commands.append([*curl, f"{base}/assets/app.js"])
    commands.append([*curl, f"{base}/dashboard"])
    commands.append([*curl, "-X", "POST", "-H", "Content-Type: application/json",
                     "--data", '{"email": "demo@example.test", "password": "bench"}', f"{base}/api/login"])
    started = time.perf_counter()
    failed = []
    for command in commands:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True)
        if done.returncode != 0 and "-tls1_1" not in command:  # the legacy probe is meant to be refused
            failed.append(" ".join(command[-3:]))
    elapsed = time.perf_counter() - started
    if failed:
        raise SystemExit("peer commands failed (the comparison would be unfair): " + "; ".join(failed))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    missing = [tool for tool in ("curl", "openssl") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"benchmark needs {', '.join(missing)}")
    site = good_site()
    site.hosts[f"admin.{DOMAIN}"] = HostSpec(pages={"/": Page()})
    site.hosts[f"staging.{DOMAIN}"] = HostSpec(redirect_to=f"https://{DOMAIN}")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        certs = make_certs(directory, list(site.hosts))
        config = write_config(directory)
        with DNSServer(good_zone(extra=EXTRA_ZONE)) as dns, edge_servers(site, certs) as ports:
            gate = [run_gate(config, dns.nameserver, ports.http, ports.https, certs.bundle) for _ in range(args.runs)]
            peer = [run_peer(ports.http, ports.https, certs.bundle) for _ in range(args.runs)]
    gate_median, peer_median = statistics.median(gate), statistics.median(peer)
    print(f"6-host map, {args.runs} runs each, loopback")
    print(f"gates edge (process, DNS + TLS + redirects + headers + cache + cookies): median {gate_median:.3f} s")
    print(f"curl + openssl s_client one by one ({len(HOSTS) + 1} hosts x 4 + 4 requests): "
          f"median {peer_median:.3f} s")
    print(f"ratio gate/peer: {gate_median / peer_median:.2f}  (target: gate < 2 s)")


if __name__ == "__main__":
    main()
