"""The README's demo: vapix.acap against three emulated cameras.

1. start the bundled emulator: three cameras on loopback, HTTPS with the emulator's CA,
   two of them AXIS OS 12.6 on aarch64, one AXIS OS 11.11 on armv7hf;
2. build the demo's inputs: Hello World 1.1.0 for both architectures (signed), and one license key
   per camera serial number;
3. ``--check --diff``: what differs from docs/demo/site.yml, with nothing sent that changes a camera;
4. converge; then ``--check`` again: nothing differs;
5. change two cameras by hand (the emulator's state hook), and ``--check --diff`` shows exactly that;
6. converge again, which repairs it.

Run it with ``make demo``. It exits non-zero if any step does not do what it says.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

from vapix_emulator.builders import build_eap, build_license_key  # noqa: E402  pylint: disable=wrong-import-position
from vapix_emulator.launcher import DeviceHooks, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

OUTPUT_DIR = REPO_ROOT / "demo-output"
APP_NAME = "hello_world"
APP_ID = "414120"
CAMERA_PROFILES = [
    {"firmware": "12.6.1", "architecture": "aarch64", "embedded_development": "3.6"},
    {"firmware": "12.6.1", "architecture": "aarch64", "embedded_development": "3.6"},
    {"firmware": "11.11.73", "architecture": "armv7hf", "embedded_development": "3.5"},
]
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def banner(text: str) -> None:
    print("\n" + "=" * 100 + "\n== " + text + "\n" + "=" * 100, flush=True)


def build_inputs(serials: List[str]) -> Dict[str, object]:
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
    return {"demo_packages": packages, "demo_license_dir": str(licenses_dir)}


def write_inventory(devices: List[dict], demo_vars: Dict[str, object]) -> Path:
    hosts = {}
    for index, device in enumerate(devices, start=1):
        hosts["cam-%d" % index] = {
            "axis_hostname": device["host"],
            "axis_port": device["https_port"],
            "axis_ca_path": device["ca_file"],
        }
    inventory = {
        "cameras": {
            "hosts": hosts,
            "vars": dict(demo_vars, axis_username="root", axis_password="pass",
                         ansible_connection="local", ansible_python_interpreter=sys.executable),
        }
    }
    path = OUTPUT_DIR / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return path


def collections_path() -> str:
    root = Path(tempfile.mkdtemp(prefix="vapix-acap-demo-"))
    (root / "ansible_collections" / "vapix").mkdir(parents=True)
    (root / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT, target_is_directory=True)
    return str(root)


def playbook(inventory: Path, env: Dict[str, str], *flags: str) -> Dict[str, int]:
    """Run site.yml, show its output, return {host: changed count} from the recap."""
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory),
               str(DEMO_DIR / "site.yml"), *flags]
    print("$ " + " ".join(["ansible-playbook", "-i", str(inventory.relative_to(REPO_ROOT)),
                           "docs/demo/site.yml", *flags]), flush=True)
    # Warnings go to stderr: interleave them with the output, as a terminal would show them.
    completed = subprocess.run(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               check=False)
    print(completed.stdout, flush=True)
    if completed.returncode != 0:
        raise SystemExit("demo step failed: ansible-playbook exited with %d" % completed.returncode)
    return {host: int(changed) for host, _ok, changed, _u, _f in RECAP_LINE.findall(completed.stdout)}


def expect(condition: bool, text: str) -> None:
    print(("OK   " if condition else "FAIL ") + text, flush=True)
    if not condition:
        raise SystemExit("demo check failed: " + text)


def main() -> int:
    OUTPUT_DIR.mkdir(exist_ok=True)
    banner("Starting three emulated Axis cameras (HTTPS, Digest authentication)")
    with start_emulator(len(CAMERA_PROFILES), OUTPUT_DIR / "emulator", https=True) as emulator:
        hooks = [DeviceHooks(device["host"], device["port"]) for device in emulator.devices]
        for hook, profile, device in zip(hooks, CAMERA_PROFILES, emulator.devices):
            described = hook.reset(**profile)
            device.update({key: described.get(key, device.get(key)) for key in ("firmware", "architecture")})
            print("cam-%d  %s:%s  serial %s  AXIS OS %s  %s" % (
                emulator.devices.index(device) + 1, device["host"], device["https_port"], device["serial_number"],
                device["firmware"], device["architecture"]))
        demo_vars = build_inputs([device["serial_number"] for device in emulator.devices])
        inventory = write_inventory(emulator.devices, demo_vars)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOST_KEY_CHECKING="0")

        banner("1. What differs from docs/demo/site.yml? (--check --diff: nothing is changed)")
        changed = playbook(inventory, env, "--check", "--diff")
        expect(all(changed.get("cam-%d" % i) for i in (1, 2, 3)), "every camera reports drift")
        expect(all(not hook.state()["applications"] for hook in hooks), "check mode installed nothing")

        banner("2. Converge")
        playbook(inventory, env)
        banner("3. Again, in check mode: nothing differs")
        changed = playbook(inventory, env, "--check", "--diff")
        expect(not any(changed.values()), "no camera reports drift after converging")

        banner("4. Someone changes two cameras by hand")
        hooks[1].patch_state({"applications": {APP_NAME: {"status": "Stopped"}}})
        print("cam-2: Hello World stopped by hand")
        hooks[2].patch_state({"config": {"AllowUnsigned": True}})
        print("cam-3: unsigned applications allowed by hand")
        changed = playbook(inventory, env, "--check", "--diff")
        expect(changed.get("cam-1") == 0 and changed.get("cam-2") == 1 and changed.get("cam-3") == 1,
               "check mode reports exactly the two hand-made changes")

        banner("5. Converge again: the drift is repaired")
        playbook(inventory, env)
        changed = playbook(inventory, env, "--check")
        expect(not any(changed.values()), "no drift left")
    banner("Demo finished. Inputs and inventory are in demo-output/; the emulator has stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
