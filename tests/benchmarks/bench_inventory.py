# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin vapix.acap.cameras on an emulated fleet: prints numbers, asserts nothing.

Starts the emulator with --cameras devices (plain HTTP, root/pass), writes a CSV camera list with them and
--unreachable addresses where nothing listens, and times ``ansible-inventory --graph`` (probe of every
camera), then again with the inventory cache warm.

With --drift, then runs the drift playbook (vapix.acap.drift, the drift report callback) on that inventory, every
camera declared with allow_unsigned: true and no application, and prints its time and the report's summary.

Usage: .venv/bin/python tests/benchmarks/bench_inventory.py [--cameras 2000] [--unreachable 20] [--workers 64] [--drift]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

from vapix_emulator.launcher import DeviceHooks, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

# A mixed fleet: every device takes one of these profiles in turn (emulator reset hook).
PROFILES = [
    {},  # the emulator's default: AXIS M3085-V, aarch64, 12.6.1
    {"product": "AXIS P1465-LE", "architecture": "armv7hf", "firmware": "11.11.73"},
    {"product": "AXIS Q6135-LE", "architecture": "aarch64", "firmware": "10.12.220"},
]


def collections_path(work: Path) -> Path:
    root = work / "collections"
    (root / "ansible_collections" / "vapix").mkdir(parents=True)
    (root / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
    return root


def graph(inventory: Path, env: dict) -> tuple:
    started = time.perf_counter()
    completed = subprocess.run([str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(inventory), "--graph"],
                               env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0 or "WARNING" in completed.stderr:
        raise SystemExit("ansible-inventory failed:\n%s" % completed.stderr)
    return seconds, completed.stdout


def drift(work: Path, inventory: Path, env: dict, forks: int) -> None:
    (work / "group_vars").mkdir()
    (work / "group_vars" / "credentials_fleet.yml").write_text(
        "axis_username: root\naxis_password: pass\naxis_camera_settings: {allow_unsigned: true}\n"
        "axis_camera_applications: []\n", encoding="utf-8")
    env = dict(env, ANSIBLE_CALLBACKS_ENABLED="vapix.acap.drift_report", ACAP_DRIFT_REPORT_DIR=str(work / "report"),
               ANSIBLE_FORKS=str(forks))
    started = time.perf_counter()
    completed = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
                                "vapix.acap.drift"], cwd=str(work), env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    summary = [line for line in completed.stdout.splitlines() if "drift report" in line.lower()][-1:]
    print("vapix.acap.drift on the inventory, forks %d: %.0f s, exit status %d (2: cameras drifted or unreachable); %s"
          % (forks, seconds, completed.returncode, summary[0].strip() if summary else completed.stdout[-500:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--cameras", type=int, default=2000)
    parser.add_argument("--unreachable", type=int, default=20)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--drift", action="store_true")
    parser.add_argument("--forks", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vapix-bench-inventory-"))
    begun = time.perf_counter()
    emulator = start_emulator(args.cameras, work / "emulator", https=False, ready_timeout=600.0)
    print("emulator: %d cameras ready in %.1f s" % (len(emulator.devices), time.perf_counter() - begun))
    try:
        def vary(indexed: tuple) -> None:
            index, device = indexed
            if PROFILES[index % len(PROFILES)]:
                DeviceHooks(device["host"], device["port"]).reset(**PROFILES[index % len(PROFILES)])

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(vary, enumerate(emulator.devices)))
        port = emulator.devices[0]["port"]
        with open(work / "cameras.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Name", "Address", "Port", "Credentials"])
            for index, device in enumerate(emulator.devices, start=1):
                writer.writerow(["cam%04d" % index, device["host"], device["port"], "fleet"])
            for index in range(args.unreachable):  # a loopback /24 where nothing listens
                writer.writerow(["gone%03d" % index, "127.254.%d.%d" % (index // 250, index % 250 + 1), port, "fleet"])
        inventory = work / "fleet.cameras.vapix.yml"
        inventory.write_text(
            "plugin: vapix.acap.cameras\nsource: cameras.csv\nuse_https: false\nprobe_workers: %d\n"
            "credentials:\n  fleet: {username: root, password: pass}\n"
            "cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n"
            % (args.workers, work / "cache"), encoding="utf-8")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path(work)))
        env.pop("ANSIBLE_INVENTORY", None)
        cold, output = graph(inventory, env)
        total = args.cameras + args.unreachable
        groups = sorted(set(re.findall(r"@(\w+):", output)))
        print("ansible-inventory --graph, %d cameras probed (%d unreachable), %d workers: %.1f s (%.1f ms per camera)"
              % (total, args.unreachable, args.workers, cold, cold * 1000 / total))
        print("groups: %s" % ", ".join(groups))
        unreachable = len(set(re.findall(r"gone\d+", output)))
        print("unreachable cameras listed: %d of %d" % (unreachable, args.unreachable))
        warm = graph(inventory, env)[0]
        print("again with the inventory cache warm: %.1f s" % warm)
        if args.drift:
            drift(work, inventory, env, args.forks)
    finally:
        emulator.stop()
        shutil.rmtree(str(work), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
