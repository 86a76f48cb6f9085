"""The README's demo: vapix.acap against four emulated cameras.

1. start the bundled emulator: four cameras on loopback, HTTPS with the emulator's CA,
   three of them AXIS OS 12.6 on aarch64, one AXIS OS 11.11 on armv7hf;
2. build the demo's inputs: Hello World 1.1.0 for both architectures (signed), and one license key
   per camera serial number; write an inventory that declares each camera's state (the role
   vapix.acap.camera's variables);
3. ``--check --diff``: what differs from the declaration, with nothing sent that changes a camera;
4. converge (docs/demo/site.yml runs the role); then the drift playbook ``vapix.acap.drift``: all in sync;
5. change three cameras by hand (the emulator's state hook), add a fifth camera that is switched off,
   and run the drift playbook again: it writes the drift report, prints its summary line and exits
   non-zero; the demo checks that the report names exactly what was changed.

Run it with ``make demo``. It exits non-zero if any step does not do what it says.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

from vapix_emulator.builders import build_eap, build_license_key  # noqa: E402  pylint: disable=wrong-import-position
from vapix_emulator.launcher import DeviceHooks, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

OUTPUT_DIR = REPO_ROOT / "demo-output"
REPORT_DIR = OUTPUT_DIR / "drift-report"
APP_NAME = "hello_world"
APP_ID = "414120"
CAMERA_PROFILES = [
    {"firmware": "12.6.1", "architecture": "aarch64", "embedded_development": "3.6"},
    {"firmware": "12.6.1", "architecture": "aarch64", "embedded_development": "3.6"},
    {"firmware": "11.11.73", "architecture": "armv7hf", "embedded_development": "3.5"},
    {"firmware": "12.6.1", "architecture": "aarch64", "embedded_development": "3.6"},
]
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
SUMMARY_LINE = re.compile(r"^(?:DRIFT REPORT|CHANGE LOG): .*$", re.M)


def banner(text: str) -> None:
    print("\n" + "=" * 100 + "\n== " + text + "\n" + "=" * 100, flush=True)


def build_inputs(serials: List[str]) -> Dict[str, object]:
    """The packages and keys, and the declared state of every camera (the role's variables)."""
    packages_dir = OUTPUT_DIR / "packages"
    licenses_dir = OUTPUT_DIR / "licenses"
    packages_dir.mkdir(parents=True, exist_ok=True)
    licenses_dir.mkdir(parents=True, exist_ok=True)
    packages = []
    for architecture in ("aarch64", "armv7hf"):
        path = packages_dir / ("Hello_World_1_1_0_%s.eap" % architecture)
        build_eap(path, name=APP_NAME, friendly_name="Hello World", version="1.1.0", architecture=architecture,
                  application_id=APP_ID, licensed=True, signed=True, vendor="Example Inc")
        packages.append(str(path))
    for serial in serials:
        build_license_key(licenses_dir / ("%s_%s.xml" % (APP_NAME, serial)), product=APP_NAME,
                          productid=APP_ID, serial_number=serial, expires="2030-12-31T23:59:59Z")
    return {
        # Only signed applications; Hello World running, the package that fits each camera, with the
        # camera's own key from the folder of keys.
        "axis_camera_settings": {"allow_unsigned": False},
        "axis_camera_applications": [
            {"name": APP_NAME, "state": "started", "src": packages, "license_src": str(licenses_dir)},
        ],
    }


def write_inventory(hosts: Dict[str, Dict[str, object]], declared: Dict[str, object]) -> Path:
    inventory = {
        "cameras": {
            "hosts": hosts,
            "vars": dict(declared, axis_username="root", axis_password="pass", axis_use_https=True,
                         ansible_connection="local", ansible_python_interpreter=sys.executable),
        }
    }
    path = OUTPUT_DIR / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return path


def camera_hosts(devices: List[dict]) -> Dict[str, Dict[str, object]]:
    return {"cam-%d" % index: {"axis_hostname": device["host"], "axis_port": device["https_port"],
                               "axis_ca_path": device["ca_file"]}
            for index, device in enumerate(devices, start=1)}


def closed_port(host: str) -> int:
    """A port nothing listens on: the camera that is switched off."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def collections_path() -> str:
    root = Path(tempfile.mkdtemp(prefix="vapix-acap-demo-"))
    (root / "ansible_collections" / "vapix").mkdir(parents=True)
    (root / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT, target_is_directory=True)
    return str(root)


def ansible_playbook(inventory: Path, env: Dict[str, str], playbook: str, *flags: str,
                     expect_rc: Tuple[int, ...] = (0,)) -> Tuple[int, str]:
    """Run a playbook, show its output as a terminal would, return (exit status, output)."""
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), playbook, *flags]
    shown = playbook if playbook.startswith("vapix.") else str(Path(playbook).relative_to(REPO_ROOT))
    print("$ " + " ".join(["ansible-playbook", "-i", str(inventory.relative_to(REPO_ROOT)), shown, *flags]),
          flush=True)
    # Warnings go to stderr: interleave them with the output, as a terminal would show them.
    completed = subprocess.run(command, env=env, cwd=str(OUTPUT_DIR), text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, check=False)
    print(completed.stdout, flush=True)
    print("(exit status %d)" % completed.returncode, flush=True)
    if completed.returncode not in expect_rc:
        raise SystemExit("demo step failed: ansible-playbook exited with %d (expected %s)"
                         % (completed.returncode, " or ".join(map(str, expect_rc))))
    return completed.returncode, completed.stdout


def changed_per_host(output: str) -> Dict[str, int]:
    return {host: int(changed) for host, _ok, changed, _u, _f in RECAP_LINE.findall(output)}


def expect(condition: bool, text: str) -> None:
    print(("OK   " if condition else "FAIL ") + text, flush=True)
    if not condition:
        raise SystemExit("demo check failed: " + text)


def not_in_sync() -> Dict[str, str]:
    report = json.loads((REPORT_DIR / "drift.json").read_text(encoding="utf-8"))
    return {name: host["status"] for name, host in report["hosts"].items() if host["status"] != "in_sync"}


def main() -> int:
    OUTPUT_DIR.mkdir(exist_ok=True)
    for old in ("drift.json", "drift.previous.json"):
        (REPORT_DIR / old).unlink(missing_ok=True)  # each demo starts without history
    banner("Starting four emulated Axis cameras (HTTPS, Digest authentication)")
    with start_emulator(len(CAMERA_PROFILES), OUTPUT_DIR / "emulator", https=True) as emulator:
        hooks = [DeviceHooks(device["host"], device["port"]) for device in emulator.devices]
        for hook, profile, device in zip(hooks, CAMERA_PROFILES, emulator.devices):
            described = hook.reset(**profile)
            device.update({key: described.get(key, device.get(key)) for key in ("firmware", "architecture")})
            print("cam-%d  %s:%s  serial %s  AXIS OS %s  %s" % (
                emulator.devices.index(device) + 1, device["host"], device["https_port"], device["serial_number"],
                device["firmware"], device["architecture"]))
        declared = build_inputs([device["serial_number"] for device in emulator.devices])
        hosts = camera_hosts(emulator.devices)
        inventory = write_inventory(hosts, declared)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOST_KEY_CHECKING="0")
        site = str(DEMO_DIR / "site.yml")

        banner("1. What differs from the inventory's declaration? (--check --diff: nothing is changed)")
        _rc, output = ansible_playbook(inventory, env, site, "--check", "--diff")
        changed = changed_per_host(output)
        expect(all(changed.get(name) for name in hosts), "every camera reports drift")
        expect(all(not hook.state()["applications"] for hook in hooks), "check mode installed nothing")

        banner("2. Converge")
        ansible_playbook(inventory, env, site)

        drift_env = dict(env, ANSIBLE_CALLBACKS_ENABLED="vapix.acap.drift_report", ACAP_DRIFT_REPORT_DIR=str(REPORT_DIR))
        banner("3. The drift check (the playbook vapix.acap.drift with its report): all in sync")
        _rc, output = ansible_playbook(inventory, drift_env, "vapix.acap.drift")
        expect(not_in_sync() == {}, "the report says every camera is in sync, exit status 0")

        banner("4. Someone changes three cameras by hand, and a fifth camera is switched off")
        hooks[0].patch_state({"applications": {APP_NAME: {"version": "1.0.0"}}})
        print("cam-1: Hello World 1.0.0 installed by hand")
        hooks[1].patch_state({"applications": {APP_NAME: {"status": "Stopped"}}})
        print("cam-2: Hello World stopped by hand")
        hooks[2].patch_state({"config": {"AllowUnsigned": True}})
        print("cam-3: unsigned applications allowed by hand")
        hosts["cam-5"] = {"axis_hostname": emulator.devices[0]["host"],
                          "axis_port": closed_port(emulator.devices[0]["host"]),
                          "axis_ca_path": emulator.devices[0]["ca_file"]}
        print("cam-4: not touched")
        print("cam-5: added to the inventory, switched off")
        inventory = write_inventory(hosts, declared)

        banner("5. The drift check again: the report names each camera and what differs")
        states_before = [hook.state() for hook in hooks]
        _rc, output = ansible_playbook(inventory, drift_env, "vapix.acap.drift", expect_rc=(2, 4))
        expect(not_in_sync() == {"cam-1": "drift", "cam-2": "drift", "cam-3": "drift", "cam-5": "unreachable"},
               "the report lists exactly the three changed cameras (drift) and the one switched off (unreachable)")
        expect([(hook.state()["applications"], hook.state()["config"]) for hook in hooks]
               == [(state["applications"], state["config"]) for state in states_before], "the check changed nothing")
        summary = SUMMARY_LINE.findall(output)
    banner("Demo finished. The emulator has stopped; inputs and inventory are in demo-output/.")
    print("\n".join(summary[-1:]))
    print("Open the report: %s" % (REPORT_DIR / "drift.html"))
    print("Also: %s (for a ticket), %s (for tools)" % (REPORT_DIR / "drift.md", REPORT_DIR / "drift.json"))
    print("On a real fleet, ansible-playbook vapix.acap.converge -i inventory.yml repairs what it lists.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
