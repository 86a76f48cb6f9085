# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the integration harness costs: prints numbers, asserts nothing.

Usage: .venv/bin/python tests/benchmarks/bench_harness.py [--hosts 64] [--forks 10]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

import conftest as harness  # noqa: E402  pylint: disable=wrong-import-position,import-error
from vapix_emulator.launcher import FleetHooks  # noqa: E402  pylint: disable=wrong-import-position,import-error

INFO_PLAY = """
- hosts: all
  gather_facts: false
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: false
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
  tasks:
    - name: info
      vapix.acap.axis_acap_info:
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--hosts", type=int, default=harness.EMULATOR_DEVICE_COUNT)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--logic-calls", type=int, default=50)
    options = parser.parse_args()

    work_dir = Path(tempfile.mkdtemp(prefix="vapix-bench-harness-"))
    started = time.perf_counter()
    emulator = harness.start_emulator(work_dir)
    start_seconds = time.perf_counter() - started
    try:
        hooks = harness.requests.Session()
        hooks.trust_env = False
        devices = [harness.EmulatorDevice(description, hooks) for description in emulator.devices]

        started = time.perf_counter()
        for device in devices:
            device.reset()
        reset_ms = (time.perf_counter() - started) * 1000 / len(devices)

        fleet_hooks = FleetHooks(emulator.devices[0]["host"], emulator.devices[0]["port"])
        started = time.perf_counter()
        fleet_hooks.reset()
        fleet_hooks.requests(clear=True)
        fleet_reset_ms = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        for index in range(options.logic_calls):
            device = devices[index % len(devices)]
            harness.run_module_logic("axis_acap_info", device.conn_params())
        logic_ms = (time.perf_counter() - started) * 1000 / options.logic_calls

        started = time.perf_counter()
        single = harness.run_ansible_playbook(INFO_PLAY, devices[:1], work_dir)
        single_seconds = time.perf_counter() - started

        fleet = devices[:options.hosts]
        started = time.perf_counter()
        many = harness.run_ansible_playbook(INFO_PLAY, fleet, work_dir, forks=options.forks)
        many_seconds = time.perf_counter() - started
    finally:
        emulator.stop()
        shutil.rmtree(work_dir, ignore_errors=True)

    print("emulator start, %d devices: %.2f s" % (len(emulator.devices), start_seconds))
    print("device reset (reset + clear faults + clear log): %.1f ms per device" % reset_ms)
    print("fleet reset + request counts, all %d devices (two fleet-wide hook requests): %.1f ms"
          % (len(emulator.devices), fleet_reset_ms))
    print("run_logic('axis_acap_info'): %.1f ms per call (%d calls)" % (logic_ms, options.logic_calls))
    print("run_playbook, 1 host, 1 task: %.2f s (rc %d, %d results recorded)"
          % (single_seconds, single.rc, len(single.results)))
    print("run_playbook, %d hosts, forks %d, 1 task: %.2f s = %.3f s per host (rc %d, %d results recorded)"
          % (len(fleet), options.forks, many_seconds, many_seconds / len(fleet), many.rc, len(many.results)))
    return 0 if single.rc == 0 and many.rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
