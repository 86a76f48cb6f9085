# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the cost per camera grows with the fleet: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_fleet_scale.py [--sizes 250,1000,2000,10000] [--forks 10]
        [--package-mb 0] [--drift-only] [--upgrade] [--inventory yaml|plugin] [--emulator-only]

For each size N, on the first N cameras of one emulator (loopback, stopped at the end), with a key
folder of N keys (one per camera) and an inventory of the N cameras (a YAML file, or with ``--inventory
plugin`` a camera list read by the collection's inventory plugin, the declaration in group_vars), in
this order (the `debug` runs alternate with the measured ones,
so both see the same load on a shared machine):

1. a play without tasks (Ansible's start and the inventory: the memory baseline);
2. ``ansible-playbook vapix.acap.converge`` on cameras that have nothing installed (each gets the
   package, its key, the setting), then one ``ansible.builtin.debug`` task over the same inventory;
   with ``--upgrade`` the cameras first get version 1.0.0 of the package (in-process, not measured)
   and the converge upgrades them to 2.0.0 (upload and the confirming read); with ``--drift-only``
   there is no converge: the emulator's state is seeded as converged (one fleet-wide hook request,
   the state a converge leaves, each camera with its own key);
3. ``ansible-playbook vapix.acap.drift`` (the report callback on) on the converged fleet, then
   ``debug`` again.

Per run it prints wall and CPU time (ansible-playbook and its workers; the main process apart; the system
time of each, where forking and ending a worker shows) and minor page faults per camera, the peak RSS of
ansible-playbook's main process and its growth per camera over the play without tasks, the
authenticated requests per camera and the hosts reported changed (the emulator's fleet-wide request
counts, one hook request per run), and the load average. ``--emulator-only`` starts an emulator of
the largest size, prints its memory, and stops it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import bench_fleet_playbook as fleet  # pylint: disable=import-error  # sits next to this file

# pylint: disable=wrong-import-position
from vapix_emulator.builders import build_eap, build_license_key  # noqa: E402
from vapix_emulator.launcher import DeviceHooks, FleetHooks, start_emulator  # noqa: E402
from vapix_emulator.licensekey import read_license_key  # noqa: E402

DEBUG_PLAY = fleet.ONE_TASK_PLAYS["ansible.builtin.debug"]


def rss_kib(pid: int, field: str) -> int:
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main_cpu(pid: int) -> Tuple[float, float, int]:
    """CPU seconds of one process so far, the system (kernel) part of them, and its minor page faults
    (copy-on-write after a fork shows there); its workers not included."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0, 0.0, 0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[12]) / ticks, int(fields[7])


def children_system_cpu() -> Tuple[float, int]:
    """System CPU seconds and minor page faults of the ended children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_stime, usage.ru_minflt


def run(playbook: str, inventory: Path, forks: int, env: Optional[Dict[str, str]] = None) -> Dict[str, float]:
    """One ansible-playbook run: wall s, CPU s (it and its workers), peak RSS KiB of its main process."""
    path = playbook if playbook.startswith("vapix.acap.") else str(fleet.WORK / ("play-%d.yml" % time.monotonic_ns()))
    if path != playbook:
        Path(path).write_text(playbook, encoding="utf-8")
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), path, "--forks", str(forks)]
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(fleet.WORK), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
                       ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_NOCOLOR="1",
                       ANSIBLE_DISPLAY_OK_HOSTS="False", ANSIBLE_DISPLAY_SKIPPED_HOSTS="False", **(env or {}))
    cpu_before, (system_before, faults_before) = fleet.children_cpu(), children_system_cpu()
    started = time.perf_counter()
    with subprocess.Popen(command, env=environment, cwd=str(fleet.WORK), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        peak = [0, 0.0, 0.0, 0]  # peak RSS KiB, CPU s of the main process, its system part, its page faults

        def watch() -> None:  # VmHWM is gone once the process has exited: read it while it runs
            while process.poll() is None:
                peak[0] = max(peak[0], rss_kib(process.pid, "VmHWM"))
                cpu, system, faults = main_cpu(process.pid)
                peak[1], peak[2], peak[3] = max(peak[1], cpu), max(peak[2], system), max(peak[3], faults)
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            output, _unused = process.communicate(timeout=fleet.PLAYBOOK_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _unused = process.communicate()
        watcher.join()
    elapsed = time.perf_counter() - started
    recap = output[output.rfind("PLAY RECAP"):]
    failed = sum(1 for line in recap.splitlines() if "failed=" in line and "failed=0" not in line)
    changed = sum(1 for line in recap.splitlines() if "changed=" in line and "changed=0" not in line)
    if process.returncode not in (0, 2) or failed:
        print("    rc %d, %d hosts failed: %s" % (process.returncode, failed, output[-1500:]), file=sys.stderr)
    return {"wall": elapsed, "cpu": fleet.children_cpu() - cpu_before, "peak_kib": peak[0], "rc": process.returncode,
            "changed": changed, "main_cpu": peak[1], "main_system": peak[2], "main_faults": peak[3],
            "system": children_system_cpu()[0] - system_before, "faults": children_system_cpu()[1] - faults_before}


def show(label: str, measured: Dict[str, float], cameras: int, baseline_kib: float, requests: Tuple[int, int]) -> None:
    growth = (measured["peak_kib"] - baseline_kib) / cameras
    print("  %-9s wall %7.1f s = %6.1f ms/camera   CPU %7.1f s = %6.1f ms/camera (main process %5.1f; system: main %5.1f, "
          "workers %5.1f; page faults per camera: main %6.0f, workers %6.0f)   peak RSS %6.1f MiB (+%5.1f KiB/camera)   "
          "%.2f req/camera (+%.2f challenges)   changed %d   rc %d   load %.1f"
          % (label, measured["wall"], measured["wall"] * 1000 / cameras, measured["cpu"], measured["cpu"] * 1000 / cameras,
             measured["main_cpu"] * 1000 / cameras, measured["main_system"] * 1000 / cameras,
             (measured["system"] - measured["main_system"]) * 1000 / cameras,
             measured["main_faults"] / cameras, (measured["faults"] - measured["main_faults"]) / cameras,
             measured["peak_kib"] / 1024, growth, requests[0] / cameras, requests[1] / cameras, measured["changed"],
             measured["rc"], os.getloadavg()[0]), flush=True)


# What a converge leaves of an application that PATCH /emulator/state can set.
SEEDED_FIELDS = ("version", "nice_name", "vendor", "application_id", "architecture", "configuration_page",
                 "vendor_home_page", "license_name", "validation_result", "copy_protection", "signed", "run_as_root",
                 "embedded_sdk_version", "status")


def seed_converged(devices: List[Dict[str, Any]], hooks: FleetHooks, package: str, key_dir: Path) -> None:
    """The first camera converged in-process (the real requests), the others given its state, each
    with its own key, in one fleet-wide request: a converged fleet without converging 10,000 cameras."""
    first = devices[0]
    if fleet.converge(devices[:1], package, str(key_dir)):
        raise RuntimeError("the in-process converge of %s failed" % first["host"])
    state = DeviceHooks(first["host"], first["port"]).state()
    app = next(item for item in state["applications"] if item["name"] == fleet.APP)
    template = {name: app[name] for name in SEEDED_FIELDS}
    cameras = {}
    for device in devices:
        key = read_license_key((key_dir / ("%s.xml" % device["serial_number"])).read_bytes()).to_dict()
        cameras[device["serial_number"]] = {"config": state["config"],
                                            "applications": {fleet.APP: dict(template, license_key=key)}}
    hooks.patch_states(cameras)


def prepare(devices: List[Dict[str, Any]], hooks: FleetHooks, mode: str, packages: Dict[str, str],
            key_dir: Path) -> None:
    """The state the measured runs start from: nothing installed, version 1.0.0 (upgrade) or converged."""
    serials = [device["serial_number"] for device in devices]
    hooks.reset(serials)
    started = time.perf_counter()
    if mode == "upgrade":
        failures = fleet.converge(devices, packages["old"], str(key_dir))
        print("  %d cameras given version 1.0.0 in-process in %.1f s (%d failed)"
              % (len(devices), time.perf_counter() - started, failures))
    elif mode == "drift-only":
        seed_converged(devices, hooks, packages["new"], key_dir)
        print("  %d cameras seeded as converged in %.1f s" % (len(devices), time.perf_counter() - started))
    fleet.requests_seen(hooks, serials)


def write_plugin_inventory(devices: List[Dict[str, Any]], folder: Path, package: str, key_dir: str) -> Path:
    """The fleet as a camera list read by the inventory plugin vapix.acap.cameras (no probe), the
    declaration and the credentials in group_vars/all.yml next to it: how a fleet of thousands is kept."""
    (folder / "group_vars").mkdir(parents=True)
    (folder / "cameras.csv").write_text("name,address,port\n" + "".join(
        "cam-%s,%s,%d\n" % (device["serial_number"], device["host"], device["port"]) for device in devices),
        encoding="utf-8")
    variables = {"axis_username": "root", "axis_password": "pass", "package": package, "key_dir": key_dir,
                 **fleet.DECLARATION}
    (folder / "group_vars" / "all.yml").write_text(json.dumps(variables), encoding="utf-8")
    inventory = folder / "fleet.cameras.vapix.yml"
    inventory.write_text(json.dumps({"plugin": "vapix.acap.cameras", "source": "cameras.csv", "probe": False,
                                     "use_https": False, "groups": {"cameras": "true"}}), encoding="utf-8")
    return inventory


def one_size(devices: List[Dict[str, Any]], hooks: FleetHooks, packages: Dict[str, str], forks: int, mode: str,
             inventory_kind: str) -> None:
    cameras = len(devices)
    serials = [device["serial_number"] for device in devices]
    key_dir = fleet.WORK / ("keys-%d" % cameras)
    key_dir.mkdir()
    for device in devices:
        build_license_key(key_dir / ("%s.xml" % device["serial_number"]), product=fleet.APP, productid=fleet.APP_ID,
                          serial_number=device["serial_number"], expires="2031-01-01")
    if inventory_kind == "plugin":
        inventory = write_plugin_inventory(devices, fleet.WORK / ("inventory-%d" % cameras), packages["new"], str(key_dir))
    else:
        inventory = fleet.write_inventory(devices, fleet.WORK / ("fleet-%d.yml" % cameras), packages["new"], str(key_dir))
    print("\n%d cameras, one key each, forks %d, %s, %s inventory" % (cameras, forks, mode, inventory_kind), flush=True)
    prepare(devices, hooks, mode, packages, key_dir)
    empty = run(fleet.EMPTY_PLAY, inventory, forks)
    show("no task", empty, cameras, empty["peak_kib"], fleet.requests_seen(hooks, serials))
    report = {"ANSIBLE_CALLBACKS_ENABLED": "vapix.acap.drift_report", "ACAP_DRIFT_REPORT_DIR": str(fleet.WORK / "report")}
    ratios = []
    measured_runs = (("converge", "vapix.acap.converge"), ("drift", "vapix.acap.drift"))
    for label, playbook in measured_runs[1:] if mode == "drift-only" else measured_runs:
        measured = run(playbook, inventory, forks, env=report)
        show(label, measured, cameras, empty["peak_kib"], fleet.requests_seen(hooks, serials))
        if label == "drift":
            summary = json.loads((fleet.WORK / "report" / "drift.json").read_text(encoding="utf-8"))["summary"]
            print("  drift report: " + ", ".join("%s %s" % item for item in summary.items()))
        debug = run(DEBUG_PLAY, inventory, forks)
        show("debug", debug, cameras, empty["peak_kib"], fleet.requests_seen(hooks, serials))
        ratios.append("%s/debug: CPU %.2fx, memory growth %.2fx" % (
            label, measured["cpu"] / debug["cpu"],
            (measured["peak_kib"] - empty["peak_kib"]) / max(1.0, debug["peak_kib"] - empty["peak_kib"])))
    print("  " + "; ".join(ratios), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,2000,10000")
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--package-mb", type=float, default=0.0, help="pad the package to this size")
    parser.add_argument("--drift-only", action="store_true",
                        help="no converge run: seed the cameras as converged, then drift and debug")
    parser.add_argument("--upgrade", action="store_true",
                        help="the cameras have version 1.0.0 of the package; converge upgrades them to 2.0.0")
    parser.add_argument("--inventory", choices=("yaml", "plugin"), default="yaml",
                        help="a YAML inventory file (default), or a camera list read by vapix.acap.cameras")
    parser.add_argument("--emulator-only", action="store_true")
    args = parser.parse_args()
    if args.drift_only and args.upgrade:
        parser.error("--drift-only and --upgrade exclude each other")
    mode = "drift-only" if args.drift_only else "upgrade" if args.upgrade else "fresh install"
    sizes = [int(size) for size in args.sizes.split(",")]
    started = time.perf_counter()
    emulator = start_emulator(max(sizes), fleet.WORK / "emulator", https=False, ready_timeout=1200.0)
    try:
        print("machine: %d CPUs, %.1f GiB RAM, load %.1f; Python %s" % (
            os.cpu_count() or 0, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30,
            os.getloadavg()[0], sys.version.split()[0]))
        pid = emulator.process.pid
        print("emulator: %d cameras in one process, ready in %.1f s, RSS %.1f MiB (peak %.1f MiB)" % (
            len(emulator.devices), time.perf_counter() - started, rss_kib(pid, "VmRSS") / 1024,
            rss_kib(pid, "VmHWM") / 1024))
        if args.emulator_only:
            return 0
        packages = {}
        for label, version in (("old", "1.0.0"), ("new", "2.0.0")):
            packages[label] = str(fleet.WORK / ("fleet_app-%s.eap" % version))
            build_eap(packages[label], name=fleet.APP, version=version, architecture="all", application_id=fleet.APP_ID,
                      licensed=True, signed=True, size=int(args.package_mb * 2 ** 20))
        hooks = FleetHooks(emulator.devices[0]["host"], emulator.devices[0]["port"], timeout=600.0)
        for size in sizes:
            one_size(emulator.devices[:size], hooks, packages, args.forks, mode, args.inventory)
            print("  emulator RSS %.1f MiB (peak %.1f MiB)" % (rss_kib(pid, "VmRSS") / 1024, rss_kib(pid, "VmHWM") / 1024))
        print("\nemulator RSS at the end: %.1f MiB (peak %.1f MiB); %.0f s in all"
              % (rss_kib(pid, "VmRSS") / 1024, rss_kib(pid, "VmHWM") / 1024, time.perf_counter() - started))
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
