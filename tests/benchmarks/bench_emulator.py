"""Benchmark of the device emulator: list.cgi requests per second and the memory of 500 devices.

    .venv/bin/python tests/benchmarks/bench_emulator.py [--seconds 5] [--devices 500]

Starts the emulator as a subprocess (loopback only), measures, prints numbers, stops it. Every phase
is bounded in time; nothing here asserts a speed, it only reports one.
"""

from __future__ import annotations

import argparse
import contextlib
import asyncio
import base64
import hashlib
import json
import os
import random
import re
import tempfile
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_ROOT = os.path.dirname(HERE)
if EMULATOR_ROOT not in sys.path:
    sys.path.insert(0, EMULATOR_ROOT)

from vapix_emulator.launcher import EmulatorProcess, start_emulator  # noqa: E402  pylint: disable=wrong-import-position
LIST_PATH = "/axis-cgi/applications/list.cgi"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@contextlib.contextmanager
def emulator(devices: int, https: bool = False) -> Iterator[EmulatorProcess]:
    """An emulator on random free loopback addresses, stopped at the end, whatever happens."""
    with tempfile.TemporaryDirectory(prefix="vapix-bench-emulator-") as work_dir:
        process = start_emulator(devices, Path(work_dir), https=https, ready_timeout=120.0)
        try:
            yield process
        finally:
            process.stop()


def rss_kib(pid: int) -> Tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB, from /proc."""
    values: Dict[str, int] = {}
    with open("/proc/{0}/status".format(pid)) as stream:
        for line in stream:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    return values["VmRSS"], values["VmHWM"]


class KeepAliveClient:
    """Minimal HTTP/1.1 keep-alive client speaking Digest (nc counting on one nonce) or Basic."""

    def __init__(self, host: str, port: int, scheme: str, user: str = "root", password: str = "pass") -> None:
        self.host, self.port, self.scheme = host, port, scheme
        self.user, self.password = user, password
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self.challenge: Dict[str, str] = {}
        self.nc = 0

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def _exchange(self, method: str, path: str, authorization: str) -> Tuple[int, Dict[str, List[str]], bytes]:
        request = "{0} {1} HTTP/1.1\r\nHost: {2}\r\nContent-Length: 0\r\n".format(method, path, self.host)
        if authorization:
            request += "Authorization: " + authorization + "\r\n"
        self.writer.write((request + "\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: Dict[str, List[str]] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        body = await self.reader.readexactly(int(headers["content-length"][0]))
        return status, headers, body

    def _authorization(self, method: str, path: str) -> str:
        if self.scheme == "basic":
            return "Basic " + base64.b64encode("{0}:{1}".format(self.user, self.password).encode()).decode()
        if not self.challenge:
            return ""
        self.nc += 1
        nc, cnonce = "{0:08x}".format(self.nc), "{0:016x}".format(random.getrandbits(64))
        ha1 = md5("{0}:{1}:{2}".format(self.user, self.challenge["realm"], self.password))
        ha2 = md5("{0}:{1}".format(method, path))
        response = md5(":".join((ha1, self.challenge["nonce"], nc, cnonce, "auth", ha2)))
        return ('Digest username="{0}", realm="{1}", nonce="{2}", uri="{3}", algorithm=MD5, qop=auth, nc={4}, '
                'cnonce="{5}", response="{6}", opaque="{7}"').format(
            self.user, self.challenge["realm"], self.challenge["nonce"], path, nc, cnonce, response, self.challenge.get("opaque", ""))

    async def request(self, method: str, path: str) -> Tuple[int, bytes]:
        status, headers, body = await self._exchange(method, path, self._authorization(method, path))
        if status == 401 and self.scheme == "digest":
            for value in headers.get("www-authenticate", []):
                if value.startswith("Digest "):
                    self.challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', value[7:]))
                    self.nc = 0
            status, headers, body = await self._exchange(method, path, self._authorization(method, path))
        return status, body

    def close(self) -> None:
        if self.writer:
            self.writer.close()


async def _hammer(host: str, port: int, scheme: str, connections: int, seconds: float) -> Tuple[int, int]:
    clients = [KeepAliveClient(host, port, scheme) for _index in range(connections)]
    for client in clients:
        await client.connect()
        await client.request("POST", LIST_PATH)  # warm up: get the nonce
    done = failed = 0
    deadline = time.monotonic() + seconds

    async def worker(client: KeepAliveClient) -> None:
        nonlocal done, failed
        while time.monotonic() < deadline:
            status, body = await client.request("POST", LIST_PATH)
            if status == 200 and body.startswith(b"<reply"):
                done += 1
            else:
                failed += 1

    await asyncio.gather(*(worker(client) for client in clients))
    for client in clients:
        client.close()
    return done, failed


def _post_json(host: str, port: int, path: str, document: dict, method: str = "POST") -> dict:
    import http.client

    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path, body=json.dumps(document), headers={"Content-Type": "application/json"})
    answer = json.loads(connection.getresponse().read())
    connection.close()
    return answer


def bench_list(seconds: float, connections: int, apps: int) -> None:
    with emulator(1) as running:
        device = running.devices[0]
        host, port = device["host"], device["port"]
        applications = {
            "app{0:02d}".format(i): {
                "version": "1.{0}.0".format(i),
                "vendor": "Bench Inc",
                "application_id": str(1000 + i),
                "status": "Running" if i % 2 else "Stopped",
            }
            for i in range(apps)
        }
        patch = {"applications": applications}
        _post_json(host, port, "/emulator/state", patch, method="PATCH")
        print("list.cgi benchmark: 1 device, {0} applications listed, {1} keep-alive connections, {2:.0f} s per scheme".format(apps, connections, seconds))
        for scheme in ("digest", "basic"):
            started = time.monotonic()
            done, failed = asyncio.run(_hammer(host, port, scheme, connections, seconds))
            elapsed = time.monotonic() - started
            print("  {0:6s}: {1} requests in {2:.2f} s = {3:.0f} requests/s ({4} failed)".format(scheme, done, elapsed, done / elapsed, failed))
        rss, peak = rss_kib(running.process.pid)
        print("  emulator RSS after the run: {0:.1f} MiB (peak {1:.1f} MiB)".format(rss / 1024, peak / 1024))


async def _touch_all(devices: List[dict]) -> int:
    """One authenticated list.cgi per device, a few devices at a time."""
    semaphore = asyncio.Semaphore(50)
    ok = 0

    async def one(device: dict) -> None:
        nonlocal ok
        async with semaphore:
            client = KeepAliveClient(device["host"], device["port"], "digest")
            await client.connect()
            status, _body = await client.request("POST", LIST_PATH)
            client.close()
            ok += status == 200

    await asyncio.gather(*(one(device) for device in devices))
    return ok


def bench_memory(count: int, https: bool) -> None:
    begun = time.monotonic()
    with emulator(count, https=https) as running:
        startup = time.monotonic() - begun
        rss_ready = rss_kib(running.process.pid)[0]
        touched = asyncio.run(_touch_all(running.devices))
        rss_after, peak = rss_kib(running.process.pid)
        print("memory: {0} devices ({1}), ready in {2:.2f} s".format(count, "HTTP + HTTPS" if https else "HTTP", startup))
        print("  RSS when ready: {0:.1f} MiB ({1:.1f} KiB per device)".format(rss_ready / 1024, rss_ready / count))
        print("  RSS after one list.cgi on each device ({0}/{1} answered 200): {2:.1f} MiB, peak {3:.1f} MiB".format(
            touched, count, rss_after / 1024, peak / 1024))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each list.cgi run (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=4, help="keep-alive client connections (default: %(default)s)")
    parser.add_argument("--apps", type=int, default=10, help="applications on the device during the list run (default: %(default)s)")
    parser.add_argument("--devices", type=int, default=500, help="devices for the memory measurement (default: %(default)s)")
    args = parser.parse_args()
    bench_list(args.seconds, args.connections, args.apps)
    bench_memory(args.devices, https=False)
    bench_memory(args.devices, https=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
