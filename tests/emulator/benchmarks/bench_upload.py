"""Benchmark of package uploads: time per package size and the emulator's peak memory.

    .venv/bin/python tests/emulator/benchmarks/bench_upload.py [--sizes-mb 10,80,300]

Builds one package per size (incompressible padding, so the package is about that big) in a temporary
folder, starts one emulator device (loopback only) with a large enough --max-upload-size, sends each
package as a streamed chunked body (Basic auth: sent once), and prints the seconds from the first body
byte to the answer, the seconds per MB, and the emulator's RSS high-water mark after each upload.
Every request is bounded by a timeout and the emulator is stopped at the end; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import requests

EMULATOR_ROOT = Path(__file__).resolve().parents[1]
if str(EMULATOR_ROOT) not in sys.path:
    sys.path.insert(0, str(EMULATOR_ROOT))

from vapix_emulator.builders import build_eap  # noqa: E402  pylint: disable=wrong-import-position
from vapix_emulator.launcher import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

MB = 1024 * 1024
BOUNDARY = "bench-upload-boundary"


def peak_rss_mib(pid: int) -> float:
    with open("/proc/{0}/status".format(pid), encoding="ascii") as stream:
        for line in stream:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def body(path: Path) -> Iterator[bytes]:
    yield ("--{0}\r\nContent-Disposition: form-data; name=\"packfil\"; filename=\"{1}\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").format(BOUNDARY, path.name).encode()
    with path.open("rb") as stream:
        while True:
            block = stream.read(MB)
            if not block:
                break
            yield block
    yield "\r\n--{0}--\r\n".format(BOUNDARY).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes-mb", default="10,80,300", help="package sizes in MB, comma-separated (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per upload (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(item) for item in args.sizes_mb.split(",") if item]
    with tempfile.TemporaryDirectory(prefix="vapix-bench-upload-") as work:
        work_dir = Path(work)
        packages = []
        for index, size in enumerate(sizes):
            path = work_dir / "app{0}.eap".format(index)
            started = time.monotonic()
            build_eap(path, name="bench{0}".format(index), size=size * MB, signed=True)
            print("built {0} ({1:.1f} MB) in {2:.1f} s".format(path.name, path.stat().st_size / MB, time.monotonic() - started))
            packages.append(path)
        limit = str((max(sizes) + 10) * MB)
        emulator = start_emulator(1, work_dir, https=False, extra_args=["--max-upload-size", limit], ready_timeout=60.0)
        try:
            device = emulator.devices[0]
            url = "http://{0}:{1}/axis-cgi/applications/upload.cgi".format(device["host"], device["port"])
            print("emulator RSS high-water mark when ready: {0:.1f} MiB".format(peak_rss_mib(emulator.process.pid)))
            for path in packages:
                size_mb = path.stat().st_size / MB
                started = time.monotonic()
                response = requests.post(url, data=body(path), auth=("root", "pass"), timeout=args.timeout,
                                         headers={"Content-Type": "multipart/form-data; boundary=" + BOUNDARY})
                seconds = time.monotonic() - started
                print("{0:7.1f} MB: {1!r:12} {2:6.2f} s ({3:.3f} s/MB), emulator RSS high-water mark {4:.1f} MiB".format(
                    size_mb, response.text.strip(), seconds, seconds / size_mb, peak_rss_mib(emulator.process.pid)))
        finally:
            emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
