# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A drift check of a whole fleet from one controller: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_fleet.py [--devices 2000] [--workers 32] [--playbook-hosts 100]

Starts one emulator with ``--devices`` cameras (random loopback addresses, stopped at the end), then:

1. converges every camera in-process (config, application install + start, license key), through
   ``_module.run_in_process`` on a thread pool: the same validation and logic as the modules;
2. drift check in check mode, in-process, over the whole fleet: the three tasks per camera;
3. the same drift check through ``ansible-playbook`` (forks 20) on ``--playbook-hosts`` cameras, to
   compare the per-host cost of the module path with the in-process path.

Each step prints wall time, cameras per second and requests sent (from the emulator's request logs).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORK = Path(tempfile.mkdtemp(prefix="vapix-bench-fleet-"))
(WORK / "ansible_collections" / "vapix").mkdir(parents=True)
(WORK / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
sys.path.insert(0, str(WORK))
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

# pylint: disable=wrong-import-position
from ansible_collections.vapix.acap.plugins.module_utils import _acap, _config, _license  # noqa: E402
from ansible_collections.vapix.acap.plugins.module_utils._module import run_in_process  # noqa: E402
from vapix_emulator.builders import build_eap, build_license_key  # noqa: E402
from vapix_emulator.launcher import DeviceHooks, start_emulator  # noqa: E402

APP = "fleet_app"
APP_ID = "4242"

PLAYBOOK = """
- name: Drift check
  hosts: cameras
  gather_facts: false
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: false
      username: root
      password: pass
  tasks:
    - name: Signed packages only
      vapix.acap.axis_acap_config:
        allow_unsigned: false
    - name: The application runs
      vapix.acap.axis_acap:
        src: "{{ package }}"
        state: started
    - name: The license key is installed
      vapix.acap.axis_acap_license:
        name: %s
        src: "{{ key_dir }}"
""" % APP


def tasks_for(device: Dict[str, Any], package: str, key_dir: str) -> List[Any]:
    connection = {"hostname": device["host"], "port": device["port"], "use_https": False,
                  "username": "root", "password": "pass"}
    return [
        (_config.MODULE_SPEC, dict(connection, allow_unsigned=False)),
        (_acap.MODULE_SPEC, dict(connection, src=[package], state="started")),
        (_license.MODULE_SPEC, dict(connection, name=APP, src=key_dir)),
    ]


def over_fleet(label: str, devices: List[Dict[str, Any]], workers: int,
               one_device: Callable[[Dict[str, Any]], int]) -> None:
    started = time.perf_counter()
    changed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(one_device, devices):
            if outcome < 0:
                failed += 1
            else:
                changed += outcome
    elapsed = time.perf_counter() - started
    print("%-44s %6d cameras in %7.2f s = %7.1f cameras/s; %d tasks changed, %d cameras failed"
          % (label, len(devices), elapsed, len(devices) / elapsed, changed, failed), flush=True)


def request_count(hooks: List[DeviceHooks]) -> Dict[str, int]:
    totals = {"authenticated": 0, "challenges": 0}
    for hook in hooks:
        for entry in hook.log():
            totals["challenges" if entry["status"] == 401 else "authenticated"] += 1
        hook.clear_log()
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--playbook-hosts", type=int, default=100)
    args = parser.parse_args()

    package = str(WORK / "fleet_app.eap")
    build_eap(package, name=APP, version="2.0.0", architecture="all", application_id=APP_ID, licensed=True,
              signed=True)
    begun = time.perf_counter()
    emulator = start_emulator(args.devices, WORK / "emulator", https=False, ready_timeout=300.0)
    print("emulator: %d cameras ready in %.2f s" % (len(emulator.devices), time.perf_counter() - begun))
    try:
        key_dir = WORK / "keys"
        key_dir.mkdir()
        for device in emulator.devices:
            build_license_key(key_dir / ("%s.xml" % device["serial_number"]), product=APP, productid=APP_ID,
                              serial_number=device["serial_number"], expires="2031-01-01")
        hooks = [DeviceHooks(device["host"], device["port"]) for device in emulator.devices]

        def run_all(check_mode: bool) -> Callable[[Dict[str, Any]], int]:
            def one_device(device: Dict[str, Any]) -> int:
                changed = 0
                try:
                    for spec, params in tasks_for(device, package, str(key_dir)):
                        changed += bool(run_in_process(spec, params, check_mode)["changed"])
                except Exception as exc:  # pylint: disable=broad-exception-caught
                    print("  %s: %s" % (device["host"], exc), file=sys.stderr)
                    return -1
                return changed
            return one_device

        over_fleet("converge, in-process (%d workers)" % args.workers, emulator.devices, args.workers,
                   run_all(False))
        print("  requests: %s" % request_count(hooks))
        over_fleet("drift check --check, in-process (%d workers)" % args.workers, emulator.devices,
                   args.workers, run_all(True))
        print("  requests: %s (3 tasks per camera, one read each, plus one Digest challenge per task)"
              % request_count(hooks))

        subset = emulator.devices[: args.playbook_hosts]
        inventory = {"cameras": {"hosts": {
            "cam-%s" % device["serial_number"]: {"axis_hostname": device["host"], "axis_port": device["port"]}
            for device in subset}, "vars": {
                "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                "package": package, "key_dir": str(key_dir)}}}
        (WORK / "inventory.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
        (WORK / "drift.yml").write_text(PLAYBOOK, encoding="utf-8")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(WORK), ANSIBLE_HOST_KEY_CHECKING="0")
        started = time.perf_counter()
        completed = subprocess.run(
            [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(WORK / "inventory.yml"),
             str(WORK / "drift.yml"), "--check", "--forks", "20"],
            env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        print("%-44s %6d cameras in %7.2f s = %7.1f cameras/s (rc %d); at this rate %d cameras take %.0f s"
              % ("drift check --check, ansible-playbook forks 20", len(subset), elapsed, len(subset) / elapsed,
                 completed.returncode, args.devices, args.devices * elapsed / len(subset)))
        print("  requests: %s" % request_count(hooks[: args.playbook_hosts]))
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
