# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A nightly drift check of a fleet through ansible-playbook: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_fleet_playbook.py [--cameras 2000] [--forks 10]
        [--compare-cameras 200] [--strategy linear]

1. Starts one emulator with ``--cameras`` cameras (loopback, stopped at the end) and converges every
   camera in-process (settings, one licensed application running, its license key), so the fleet is
   in the state the role declares.
2. Runs the nightly drift check on the whole fleet as a user runs it, ``ansible-playbook
   vapix.acap.drift`` with the callback ``vapix.acap.drift_report`` (the role ``vapix.acap.camera`` in
   check mode, the declaration in the inventory), and prints wall time, cameras per second and
   authenticated requests per camera (emulator logs; Digest challenges are counted apart). Then, for
   comparison, the role under ``roles:`` (with the role argument task Ansible adds, which the drift
   playbook leaves out) and the same declaration as one ``axis_acap_state`` task without the role.
3. On ``--compare-cameras`` of them, with the same forks, prints the cost per task and camera of a
   no-op ``vapix.acap.axis_acap`` task (in-process, and forced to the module),
   ``ansible.builtin.debug``, ``ansible.builtin.ping``, and per
   camera of an ``ansible.builtin.uri`` playbook that reads list.cgi and skips its write tasks: each
   playbook's wall time minus that of a play without tasks (Ansible's start), divided by the cameras.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORK = Path(tempfile.mkdtemp(prefix="vapix-bench-fleet-playbook-"))
(WORK / "ansible_collections" / "vapix").mkdir(parents=True)
(WORK / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
sys.path.insert(0, str(WORK))
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

# pylint: disable=wrong-import-position
from ansible_collections.vapix.acap.plugins.module_utils import _acap, _config, _license  # noqa: E402
from ansible_collections.vapix.acap.plugins.module_utils._module import run_in_process  # noqa: E402
from vapix_emulator.builders import build_eap, build_license_key  # noqa: E402
from vapix_emulator.launcher import FleetHooks, start_emulator  # noqa: E402

APP = "fleet_app"
APP_ID = "4242"
CONVERGE_WORKERS = 32
PLAYBOOK_TIMEOUT = 1800.0  # seconds; a run past it is stopped and reported

CONNECTION = """
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: false
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
"""

# The declaration, as inventory group variables, for the role.
DECLARATION = {
    "axis_camera_settings": {"allow_unsigned": False},
    "axis_camera_applications": [
        {"name": APP, "src": "{{ package }}", "state": "started", "license_src": "{{ key_dir }}"},
    ],
}

ROLE_PLAY = """
- name: Drift check with the role under roles (Ansible adds its role argument task)
  hosts: cameras
  gather_facts: false
  check_mode: true
  roles:
    - role: vapix.acap.camera
"""

# The role's declaration as one task: what the role costs without the argument validation task
# Ansible adds to it (a second worker per camera).
STATE_TASK_PLAY = """
- name: Drift check with the one task the role runs
  hosts: cameras
  gather_facts: false
%s
  tasks:
    - name: Converge the camera
      vapix.acap.axis_acap_state:
        settings:
          allow_unsigned: false
        applications:
          - name: %s
            src: "{{ package }}"
            state: started
            license_src: "{{ key_dir }}"
""" % (CONNECTION, APP)

EMPTY_PLAY = """
- name: Ansible's start, no task
  hosts: cameras
  gather_facts: false
  tasks: []
"""

ONE_TASK_PLAYS = {
    "ansible.builtin.debug": """
- name: debug
  hosts: cameras
  gather_facts: false
  tasks:
    - name: Say something
      ansible.builtin.debug:
        msg: "{{ axis_hostname }}"
""",
    "vapix.acap.axis_acap (no-op)": """
- name: axis_acap
  hosts: cameras
  gather_facts: false
%s
  tasks:
    - name: The application runs
      vapix.acap.axis_acap:
        src: "{{ package }}"
        state: started
""" % CONNECTION,
    "vapix.acap.axis_acap as a module": """
- name: axis_acap, forced to the module
  hosts: cameras
  gather_facts: false
  vars:
    vapix_acap_in_process: false
%s
  tasks:
    - name: The application runs
      vapix.acap.axis_acap:
        src: "{{ package }}"
        state: started
""" % CONNECTION,
    "ansible.builtin.ping": """
- name: ping
  hosts: cameras
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
""",
    "uri playbook (list.cgi, writes skipped)": """
- name: uri
  hosts: cameras
  gather_facts: false
  tasks:
    - name: Read list.cgi
      ansible.builtin.uri:
        url: "http://{{ axis_hostname }}:{{ axis_port }}/axis-cgi/applications/list.cgi"
        method: POST
        url_username: "{{ axis_username }}"
        url_password: "{{ axis_password }}"
        return_content: true
      register: listed
    - name: Upload the package (when missing)
      ansible.builtin.uri:
        url: "http://{{ axis_hostname }}:{{ axis_port }}/axis-cgi/applications/upload.cgi"
        method: POST
        url_username: "{{ axis_username }}"
        url_password: "{{ axis_password }}"
        src: "{{ package }}"
      when: "'Name=\\"%s\\"' not in listed.content"
    - name: Start it (when not running)
      ansible.builtin.uri:
        url: "http://{{ axis_hostname }}:{{ axis_port }}/axis-cgi/applications/control.cgi?action=start&package=%s"
        method: POST
        url_username: "{{ axis_username }}"
        url_password: "{{ axis_password }}"
      when: "'Status=\\"Running\\"' not in listed.content"
""" % (APP, APP),
}


def converge(devices: List[Dict[str, Any]], package: str, key_dir: str) -> int:
    """Bring every camera to the declared state in-process; returns the number of failures."""

    def one(device: Dict[str, Any]) -> int:
        connection = {"hostname": device["host"], "port": device["port"], "use_https": False,
                      "username": "root", "password": "pass"}
        try:
            run_in_process(_config.MODULE_SPEC, dict(connection, allow_unsigned=False))
            run_in_process(_acap.MODULE_SPEC, dict(connection, src=[package], state="started"))
            run_in_process(_license.MODULE_SPEC, dict(connection, name=APP, src=key_dir))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            print("  converge %s: %s" % (device["host"], exc), file=sys.stderr)
            return 1
        return 0

    with concurrent.futures.ThreadPoolExecutor(max_workers=CONVERGE_WORKERS) as pool:
        return sum(pool.map(one, devices))


def requests_seen(hooks: FleetHooks, serial_numbers: Optional[List[str]] = None) -> Tuple[int, int]:
    """(authenticated requests, 401 answers) the cameras logged since the last call; clears their logs.
    One fleet-wide hook request: a request per camera does not scale to 10,000 cameras."""
    counts = hooks.requests(serial_numbers, clear=True)
    return counts["requests"], counts["challenges"]


def write_inventory(devices: List[Dict[str, Any]], path: Path, package: str, key_dir: str) -> Path:
    inventory = {"cameras": {
        "hosts": {"cam-%s" % device["serial_number"]: {"axis_hostname": device["host"], "axis_port": device["port"]}
                  for device in devices},
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "axis_use_https": False, "axis_username": "root", "axis_password": "pass", "package": package, "key_dir": key_dir,
                 **DECLARATION},
    }}
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    return path


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_playbook(text: str, inventory: Path, forks: int, strategy: str, check: bool = False,
                 show: bool = False, playbook: str = "", env: Optional[Dict[str, str]] = None) -> Tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (ansible-playbook and its workers), return code and the recap of one
    ansible-playbook run of ``text`` (or of ``playbook``, a collection's playbook by name). CPU time
    does not grow when other work shares the machine; wall time does."""
    if not playbook:
        playbook = str(WORK / ("play-%d.yml" % time.monotonic_ns()))
        Path(playbook).write_text(text, encoding="utf-8")
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), playbook,
               "--forks", str(forks)] + (["--check"] if check else [])
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(WORK), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_STRATEGY=strategy,
               ANSIBLE_NOCOLOR="1", ANSIBLE_DISPLAY_OK_HOSTS="False", ANSIBLE_DISPLAY_SKIPPED_HOSTS="False",
               **(env or {}))
    started = time.perf_counter()
    cpu_before = children_cpu()
    try:
        completed = subprocess.run(command, env=env, cwd=str(WORK), capture_output=True, text=True, check=False,
                                   timeout=PLAYBOOK_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        print("  stopped after %.0f s: %s" % (PLAYBOOK_TIMEOUT, str(exc.stdout or "")[-3000:]), file=sys.stderr)
        return time.perf_counter() - started, children_cpu() - cpu_before, -1, ""
    elapsed = time.perf_counter() - started
    cpu = children_cpu() - cpu_before
    if show:
        print(completed.stdout[-6000:], completed.stderr[-3000:])
    recap = completed.stdout[completed.stdout.rfind("PLAY RECAP"):]
    failed = [line for line in recap.splitlines() if "failed=0" not in line and "unreachable=0" not in line][1:]
    if completed.returncode != 0:
        print("  rc %d; %s\n%s" % (completed.returncode, "; ".join(failed[:3]), completed.stderr[-2000:]), file=sys.stderr)
    return elapsed, cpu, completed.returncode, recap


def fleet_run(hooks: FleetHooks, cameras: int, measured: Tuple[float, float, int, str]) -> None:
    """Print one fleet run: time, CPU, cameras reporting a change, requests per camera."""
    elapsed, cpu, code, recap = measured
    authenticated, challenges = requests_seen(hooks)
    changed_hosts = sum(1 for line in recap.splitlines() if "changed=0" not in line and "ok=" in line)
    print("  wall %.1f s = %.1f cameras/s (rc %d, %d cameras report a change); CPU %.1f s (%.1f ms per camera)"
          % (elapsed, cameras / elapsed, code, changed_hosts, cpu, cpu * 1000 / cameras))
    print("  %.2f authenticated requests per camera (+ %.2f Digest challenges); load average now %.1f"
          % (authenticated / cameras, challenges / cameras, os.getloadavg()[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=2000)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--compare-cameras", type=int, default=200,
                        help="cameras for the per-task comparison (0: all)")
    parser.add_argument("--strategy", default="linear", help="Ansible strategy plugin (linear, free)")
    parser.add_argument("--show", action="store_true", help="print the output of each ansible-playbook run")
    args = parser.parse_args()

    package = str(WORK / "fleet_app.eap")
    build_eap(package, name=APP, version="2.0.0", architecture="all", application_id=APP_ID, licensed=True,
              signed=True)
    begun = time.perf_counter()
    emulator = start_emulator(args.cameras, WORK / "emulator", https=False, ready_timeout=600.0)
    ansible_version = subprocess.run([str(Path(sys.executable).with_name("ansible")), "--version"],
                                     capture_output=True, text=True, check=False).stdout.splitlines()[0]
    print("machine: %d CPUs, %.1f GiB RAM; Python %s; %s"
          % (os.cpu_count() or 0, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30,
             sys.version.split()[0], ansible_version))
    print("emulator: %d cameras ready in %.1f s" % (len(emulator.devices), time.perf_counter() - begun))
    try:
        key_dir = WORK / "keys"
        key_dir.mkdir()
        for device in emulator.devices:
            build_license_key(key_dir / ("%s.xml" % device["serial_number"]), product=APP, productid=APP_ID,
                              serial_number=device["serial_number"], expires="2031-01-01")
        hooks = FleetHooks(emulator.devices[0]["host"], emulator.devices[0]["port"], timeout=600.0)
        started = time.perf_counter()
        failures = converge(emulator.devices, package, str(key_dir))
        print("converged in-process in %.1f s (%d failures)" % (time.perf_counter() - started, failures))
        requests_seen(hooks)

        inventory = write_inventory(emulator.devices, WORK / "fleet.yml", package, str(key_dir))
        print("\nthe nightly drift check: ansible-playbook vapix.acap.drift (callback vapix.acap.drift_report), "
              "%d cameras, forks %d, strategy %s" % (args.cameras, args.forks, args.strategy))
        report_dir = WORK / "drift-report"
        fleet_run(hooks, args.cameras, run_playbook(
            "", inventory, args.forks, args.strategy, show=args.show, playbook="vapix.acap.drift",
            env={"ANSIBLE_CALLBACKS_ENABLED": "vapix.acap.drift_report", "ACAP_DRIFT_REPORT_DIR": str(report_dir)}))
        report = json.loads((report_dir / "drift.json").read_text(encoding="utf-8"))
        print("  report: %s" % ", ".join("%s %s" % (count, status) for status, count in report["summary"].items()))
        print("  targets: <= 120 s for 2,000 cameras; <= 3 authenticated requests per camera")

        print("\nfor comparison, the role under roles: (with Ansible's role argument task), --check")
        fleet_run(hooks, args.cameras, run_playbook(ROLE_PLAY, inventory, args.forks, args.strategy, show=args.show))
        print("\nthe same declaration as one vapix.acap.axis_acap_state task (no role), --check")
        fleet_run(hooks, args.cameras, run_playbook(STATE_TASK_PLAY, inventory, args.forks, args.strategy, check=True,
                                                    show=args.show))

        count = min(args.compare_cameras or args.cameras, args.cameras)
        subset = emulator.devices[:count]
        small = write_inventory(subset, WORK / "compare.yml", package, str(key_dir))
        baseline, baseline_cpu, dummy, dummy = run_playbook(EMPTY_PLAY, small, args.forks, args.strategy)
        print("\ncost per task and camera, %d cameras, forks %d, strategy %s (a play without tasks took %.2f s)"
              % (count, args.forks, args.strategy, baseline))
        print("  %-42s %9s %9s  %s" % ("", "wall ms", "CPU ms", ""))
        costs: Dict[str, Tuple[float, float]] = {}
        for label, text in ONE_TASK_PLAYS.items():
            elapsed, cpu, code, dummy = run_playbook(text, small, args.forks, args.strategy, show=args.show)
            authenticated, challenges = requests_seen(hooks, [device["serial_number"] for device in subset])
            costs[label] = ((elapsed - baseline) * 1000 / count, (cpu - baseline_cpu) * 1000 / count)
            print("  %-42s %9.1f %9.1f  (wall %.1f s, rc %d, %.1f authenticated requests per camera)"
                  % (label, costs[label][0], costs[label][1], elapsed, code, authenticated / count))
        for index, measure in ((0, "wall"), (1, "CPU")):
            acap = costs["vapix.acap.axis_acap (no-op)"][index]
            print("  %-4s axis_acap / debug = %.2fx (target <= 2.5x); / ping = %.2fx (target <= 0.25x); "
                  "/ uri playbook = %.2fx (target <= 0.5x)"
                  % (measure, acap / costs["ansible.builtin.debug"][index], acap / costs["ansible.builtin.ping"][index],
                     acap / costs["uri playbook (list.cgi, writes skipped)"][index]))
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
