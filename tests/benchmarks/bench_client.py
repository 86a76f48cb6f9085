# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the VAPIX client against the bundled emulator. Prints numbers; asserts nothing.

    .venv/bin/python tests/benchmarks/bench_client.py [--iterations 200]

Starts its own emulator (2 devices on random loopback addresses, stopped at the end) and measures:
- list.cgi round trips with one reused client (keep-alive, one Digest challenge) versus a new
  client per call (new connection and a challenge each time), HTTP and HTTPS;
- requests a module's logic sends (axis_acap_info; axis_acap_config with nothing to do);
- parse time and peak memory of list.cgi replies with many applications.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = Path(tempfile.mkdtemp(prefix="vapix-bench-"))
(COLLECTIONS / "ansible_collections" / "vapix").mkdir(parents=True)
(COLLECTIONS / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
sys.path.insert(0, str(COLLECTIONS))
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

# pylint: disable=wrong-import-position
from ansible_collections.vapix.acap.plugins.module_utils import _config, _info  # noqa: E402
from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings  # noqa: E402
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient  # noqa: E402
from ansible_collections.vapix.acap.plugins.module_utils._xml import parse_list_reply  # noqa: E402
from vapix_emulator.launcher import start_emulator  # noqa: E402


def settings_for(device: dict, https: bool = False) -> ConnectionSettings:
    return ConnectionSettings(
        hostname=device["host"], port=device["https_port"] if https else device["port"], use_https=https,
        ca_path=device["ca_file"] if https else None, username="root", password="pass", timeout=10)


def log_of(device: dict) -> list:
    url = "http://%s:%d/emulator/log" % (device["host"], device["port"])
    entries = requests.get(url, timeout=10).json()["entries"]
    requests.delete(url, timeout=10)
    return entries


def timed(label: str, count: int, function) -> None:
    start = time.perf_counter()
    for _call in range(count):
        function()
    elapsed = time.perf_counter() - start
    print("%-58s %8.2f ms/call  (%d calls, %.2f s)" % (label, 1000 * elapsed / count, count, elapsed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    emulator = start_emulator(2, COLLECTIONS / "emulator", https=True)
    try:
        device = emulator.devices[0]
        log_of(device)
        for https in (False, True):
            scheme = "https" if https else "http"
            with VapixClient(settings_for(device, https)) as client:
                timed("list.cgi, one client reused (%s)" % scheme, args.iterations, client.list_applications)
            entries = log_of(device)
            print("    requests: %d, of which 401 challenges: %d"
                  % (len(entries), sum(1 for e in entries if e["status"] == 401)))

            def fresh_client() -> None:
                with VapixClient(settings_for(device, https)) as fresh:
                    fresh.list_applications()

            timed("list.cgi, new client per call (%s)" % scheme, args.iterations // 4, fresh_client)
            entries = log_of(device)
            print("    requests: %d, of which 401 challenges: %d"
                  % (len(entries), sum(1 for e in entries if e["status"] == 401)))

        with VapixClient(settings_for(device)) as client:
            start = time.perf_counter()
            _info.run(client, {}, False)
            elapsed = time.perf_counter() - start
        entries = log_of(device)
        print("axis_acap_info logic: %d requests (%d challenges), %.1f ms"
              % (len(entries), sum(1 for e in entries if e["status"] == 401), 1000 * elapsed))
        with VapixClient(settings_for(device)) as client:
            _config.run(client, {"allow_unsigned": False}, False)
        entries = log_of(device)
        print("axis_acap_config logic, nothing to do: %d requests (%d challenges): %s"
              % (len(entries), sum(1 for e in entries if e["status"] == 401),
                 [e["path"].rsplit("/", 1)[-1] for e in entries]))
    finally:
        emulator.stop()

    for count in (10, 1000, 10000):
        body = ('<reply result="ok">%s</reply>' % "".join(
            '<application Name="App%d" NiceName="Application %d" Vendor="Example" Version="1.%d.0" '
            'ApplicationID="%d" Status="Running" License="Valid" ConfigurationPage="local/App%d/index.html" '
            'VendorHomePage="https://example.invalid" LicenseName="Proprietary" Extra="x"/>'
            % (i, i, i, i, i) for i in range(count))).encode()
        tracemalloc.start()
        start = time.perf_counter()
        parsed = parse_list_reply(body)
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print("parse_list_reply %6d applications (%8d bytes): %8.2f ms, peak Python memory %7.1f KiB"
              % (len(parsed), len(body), 1000 * elapsed, peak / 1024))
    shutil.rmtree(COLLECTIONS, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
